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

    func response(_ head: ResponseHead, _ body: ClientBodyStream, audit: ProxyAuditEntry, requestID: String) async -> Response {
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
        if let length = head.headers["Content-Length"].flatMap(Int.init), length <= Self.wholeBodyLimit {
            return await whole(body, status: status, headers: headers, audit: audit, requestID: requestID)
        }
        let relay = self
        return Response(status: status, headers: headers, body: .stream { writer in
            try await relay.stream(body, to: writer, audit: audit)
        })
    }

    /// Bodies up to this size, announced by Content-Length, are relayed whole: the agent gets one
    /// write instead of a chunked stream of three, and nothing here is worth streaming.
    static let wholeBodyLimit = 64 * 1024

    private func whole(_ body: ClientBodyStream, status: HTTPStatus, headers: HTTPHeaders,
                       audit: ProxyAuditEntry, requestID: String) async -> Response {
        var entry = audit
        var scrubber = MultiSecretScrubber(secrets)
        var bytes: [UInt8] = []
        do {
            while let chunk = try await body.next() {
                bytes += scrubber.feed(chunk)
                guard bytes.count <= Self.wholeBodyLimit else { throw ResponseRelayError.longerThanAnnounced }
            }
        } catch {
            entry.error = "relay_interrupted"
            logger.warning("proxied response ended early", metadata: ["host": "\(entry.host ?? "-")", "path": "\(entry.path)",
                                                                   "error": "\(error)"])
            await auditor.record(entry)
            return ErrorEnvelope.response(for: HTTPError(.badGateway, code: "upstream_interrupted",
                                                         message: "The upstream's response broke off before its end."),
                                          requestID: requestID)
        }
        bytes += scrubber.finish()
        entry.bytes = bytes.count
        await auditor.record(entry)
        return Response(status: status, headers: headers, body: .bytes(bytes))
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

enum ResponseRelayError: Error { case longerThanAnnounced }

extension String {
    func equalsIgnoringCase(_ other: String) -> Bool { lowercased() == other.lowercased() }
}
