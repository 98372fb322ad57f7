import HTTP
import Logging

/// Passes the origin's response to the agent as it arrives — status, end-to-end headers, body —
/// with every secret of the request's credentials scrubbed from headers and body. The audit
/// row is written when the body has ended (or broke off).
struct ForwardRelay: Sendable {
    let secrets: [Secret]
    let auditor: ProxyAuditor
    let logger: Logger

    func response(_ head: ResponseHead, _ body: ClientBodyStream, audit: ForwardAuditEntry) async -> Response {
        var headers = HTTPHeaders()
        for field in HopByHop.stripped(head.headers) where !field.name.equalsIgnoringCase("Content-Length") {
            headers.add(field.name, ForwardCredentials.scrub(field.value, secrets: secrets))
        }
        let status = head.status
        guard status.allowsBody else {
            await auditor.record(audit)
            return Response(status: status, headers: headers)
        }
        let relay = self
        return Response(status: status, headers: headers, body: .stream { writer in
            try await relay.stream(body, to: writer, audit: audit)
        })
    }

    private func stream(_ body: ClientBodyStream, to writer: BodyWriter, audit: ForwardAuditEntry) async throws {
        var entry = audit
        var scrubber = MultiSecretScrubber(secrets)
        do {
            while let chunk = try await body.next() {
                let clean = scrubber.feed(chunk)
                guard !clean.isEmpty else { continue }
                try await writer.write(clean)
                entry.base.bytes += clean.count
            }
            let tail = scrubber.finish()
            if !tail.isEmpty {
                try await writer.write(tail)
                entry.base.bytes += tail.count
            }
        } catch {
            entry.base.error = "relay_interrupted"
            logger.warning("forwarded response relay interrupted", metadata: ["host": "\(entry.base.host ?? "-")",
                                                                              "error": "\(error)"])
            await auditor.record(entry)
            throw error
        }
        await auditor.record(entry)
    }
}
