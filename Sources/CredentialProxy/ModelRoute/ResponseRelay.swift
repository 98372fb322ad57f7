import HTTP
import Logging

/// Passes an upstream response to the agent (from the model route or the forward proxy): status
/// and end-to-end headers, then the body chunk by chunk as it arrives (an SSE stream's first
/// event is not held for the rest), with every secret of the request scrubbed from both. The audit row is written when the body has ended, before the
/// agent sees the end of the response.
struct ResponseRelay: Sendable {
    let secrets: [Secret]
    let auditor: ProxyAuditor
    let logger: Logger

    func response(_ head: ResponseHead, _ body: ClientBodyStream, audit: ProxyAuditEntry) async -> Response {
        var headers = HTTPHeaders()
        for field in HopByHop.stripped(head.headers) where !field.name.equalsIgnoringCase("Content-Length") {
            headers.add(field.name, SecretScrubber.scrub(field.value, secrets: secrets))
        }
        let status = head.status
        guard status.allowsBody else {
            // The server never runs a body producer for these, so audit here.
            await auditor.record(audit)
            return Response(status: status, headers: headers)
        }
        let relay = self
        return Response(status: status, headers: headers, body: .stream { writer in
            try await relay.stream(body, to: writer, audit: audit)
        })
    }

    private func stream(_ body: ClientBodyStream, to writer: BodyWriter, audit: ProxyAuditEntry) async throws {
        var entry = audit
        var scrubber = MultiSecretScrubber(secrets)
        do {
            while let chunk = try await body.next() {
                let clean = scrubber.feed(chunk)
                guard !clean.isEmpty else { continue }
                try await writer.write(clean)
                entry.bytes += clean.count
            }
            let tail = scrubber.finish()
            if !tail.isEmpty {
                try await writer.write(tail)
                entry.bytes += tail.count
            }
        } catch {
            // Either side went away mid-body: the agent sees the response cut short, as it was.
            entry.error = "relay_interrupted"
            logger.warning("proxied response relay interrupted", metadata: ["host": "\(entry.host ?? "-")", "path": "\(entry.path)",
                                                                          "error": "\(error)"])
            await auditor.record(entry)
            throw error
        }
        await auditor.record(entry)
    }
}

extension String {
    func equalsIgnoringCase(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
