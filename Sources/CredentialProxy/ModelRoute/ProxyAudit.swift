import Core
import HTTP
import Logging

/// One audit row per proxied request (SPEC §5): who (session), what (method, host, path without
/// query), the outcome (status, bytes relayed, duration), which credential was injected — its
/// name, never its value — and, for forwarded requests, the egress rule that decided.
struct ProxyAuditEntry: Sendable {
    static let kind = "proxy.request"

    var session: String?
    var route: ProxyRoute
    var method: String
    var host: String?
    var path: String
    var status = 0
    var credential: String?
    /// The egress rule that let a forwarded request through (nil on the model route).
    var rule: String?
    /// The approval a held request waited for.
    var approval: String?
    var bytes = 0
    /// Bytes the agent sent through a CONNECT tunnel (nil for other requests).
    var bytesSent: Int?
    /// The request body's size (counted in metrics, not audited: the tunnel's `bytes_sent` is).
    var requestBytes = 0
    /// The error code when the route answered itself or the relay broke off.
    var error: String?
    let started = ContinuousClock.now

    var detail: [String: JSONValue] {
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        var detail: [String: JSONValue] = [
            "method": .string(method), "path": .string(path), "status": .integer(Int64(status)),
            "bytes": .integer(Int64(bytes)), "duration_ms": .integer(milliseconds),
            "host": host.map(JSONValue.string) ?? .null, "credential": credential.map(JSONValue.string) ?? .null,
        ]
        if let error { detail["error"] = .string(error) }
        if let rule { detail["rule"] = .string(rule) }
        if let approval { detail["approval_id"] = .string(approval) }
        if let bytesSent { detail["bytes_sent"] = .integer(Int64(bytesSent)) }
        return detail
    }
}

struct ProxyAuditor: Sendable {
    let core: WardenCore
    let metrics: ProxyMetrics
    let logger: Logger

    init(store: CredentialStore, logger: Logger) {
        core = store.core
        metrics = store.metrics
        self.logger = logger
    }

    /// Writes the entry; a failure is logged, as the response has already been decided.
    func record(_ entry: ProxyAuditEntry) async {
        metrics.count(entry)
        let detail = entry.detail
        do {
            try await core.write { tx in
                try tx.audit(ProxyAuditEntry.kind, actor: nil, session: entry.session, detail: detail)
            }
        } catch {
            logger.error("could not write the audit entry of a proxied request",
                         metadata: ["session": "\(entry.session ?? "-")", "path": "\(entry.path)", "error": "\(error)"])
        }
    }
}

extension ProxyAuditor {
    /// One proxied exchange, as both the model route and the forward proxy run it: the session is
    /// the socket's (a listener without a proxy-socket identity is refused: fail closed), and
    /// whatever the exchange ends with, relayed or refused, leaves one audit row — `body` records
    /// its own when it relays, a refusal is recorded here.
    func exchange<Failure: HTTPResponseError>(
        _ request: Request, entry: ProxyAuditEntry, noSession: Failure, logger: Logger,
        _ body: @escaping @Sendable (_ session: String, _ entry: inout ProxyAuditEntry) async throws(Failure) -> Response
    ) -> HandlerResult {
        let session = (request.listenerContext as? SessionSocketIdentity).flatMap { $0.kind == .proxy ? $0.sessionID : nil }
        return .async { [self] in
            var entry = entry
            entry.session = session
            do throws(Failure) {
                guard let session else {
                    logger.error("a proxy socket request arrived without a SessionSocketIdentity; listen with one")
                    throw noSession
                }
                return try await body(session, &entry)
            } catch {
                entry.status = error.status.code
                entry.error = error.code
                await record(entry)
                return ErrorEnvelope.response(for: error, requestID: request.requestID)
            }
        }
    }
}
