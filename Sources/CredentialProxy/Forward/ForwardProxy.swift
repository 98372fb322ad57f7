import Core
import HTTP
import Logging

/// The forward proxy on a session's proxy.sock (SPEC §5; CONNECT in ForwardProxy+Connect): an absolute-form
/// `http://host[:port]/path` request is decided against the egress rules (default deny),
/// its host resolved once and every address checked, the checked address dialled, the
/// credentials for that host and path injected, and the answer relayed with every secret
/// scrubbed. Every request, relayed or refused, leaves one `proxy.request` audit row.
public struct ForwardProxy: HTTPHandler {
    let store: CredentialStore
    let client: HTTPClient
    let resolver: EgressResolver
    let rateLimiter: EgressRateLimiter
    let rules: EgressRuleCache
    let auditor: ProxyAuditor
    let approvals: ApprovalHold
    /// Model API hosts configured for the sessions: allowed without a rule (SPEC §5).
    let modelHosts: [EgressHost]
    let upstreamIdleTimeout: Duration
    /// How long a CONNECT waits for each upstream address to accept.
    let connectTimeout: Duration
    let logger: Logger

    public init(store: CredentialStore, client: HTTPClient, resolver: EgressResolver = EgressResolver(),
                rateLimiter: EgressRateLimiter = EgressRateLimiter(), upstreamIdleTimeout: Duration = .seconds(120),
                connectTimeout: Duration = .seconds(10), approvalTimeout: Duration = .seconds(180),
                modelHosts: [EgressHost] = [], logger: Logger = Logger(label: "warden.proxy")) {
        self.store = store
        self.client = client
        self.resolver = resolver
        self.rateLimiter = rateLimiter
        self.upstreamIdleTimeout = upstreamIdleTimeout
        self.connectTimeout = connectTimeout
        self.logger = logger
        rules = EgressRuleCache(core: store.core)
        auditor = ProxyAuditor(store: store, logger: logger)
        approvals = ApprovalHold(core: store.core, timeout: approvalTimeout, logger: logger)
        self.modelHosts = modelHosts
    }

    public func handle(_ request: Request) -> HandlerResult {
        var entry = ProxyAuditEntry(session: nil, route: .forward, method: request.method, path: request.path)
        entry.requestBytes = request.body.count
        if case .authority(let authority) = request.target { entry.host = authority }
        if case .absolute(_, let authority, _, _) = request.target { entry.host = authority }
        return auditor.exchange(request, entry: entry, noSession: ForwardProxyError.noSession, logger: logger) {
            [self] session, entry throws(ForwardProxyError) in
            try await forward(request, session: session, audit: &entry)
        }
    }

    private func forward(_ request: Request, session: String,
                         audit entry: inout ProxyAuditEntry) async throws(ForwardProxyError) -> Response {
        // TRACE would reflect the injected credential back to the agent.
        guard request.method != "TRACE" else { throw .traceRefused }
        if request.method == "CONNECT" { return try await tunnel(request, session: session, audit: &entry) }
        let target = try ForwardTarget(request)
        entry.host = target.auditHost
        entry.path = target.path.value

        let decision = EgressPolicy.decide(method: request.method, host: target.host, path: target.path,
                                           rules: try await loadRules(), alwaysAllowedHosts: modelHosts)
        entry.rule = decision.rule?.id
        if decision.action == .deny { throw .denied(decision.reason) }
        if let rule = decision.rule {
            let outcome = rateLimiter.allow(session: session, rule: rule)
            guard outcome.isAllowed else { throw .rateLimited(ruleID: rule.id, retryAfter: outcome.retryAfterSeconds) }
        }
        if decision.action == .approve {
            let held = HeldRequest(method: request.method, host: target.auditHost, path: target.path.value,
                                   headers: request.headers, body: request.body)
            switch try await approvals.hold(held, session: session) {
            case .approved(let id):
                entry.approval = id
            case .refused(let id, let status, let reason):
                entry.approval = id
                throw .approvalRefused(approvalID: id, status: status, reason: reason)
            }
        }

        let addresses: [DialAddress]
        do {
            addresses = try await resolver.resolve(target.host, port: target.port, allowPrivate: decision.namesHostExplicitly)
        } catch {
            switch error {
            case .lookupFailed, .noAddresses: throw .upstreamUnreachable(host: target.auditHost, reason: error.reason)
            default: throw .addressRefused(error.reason)
            }
        }

        let credentials = try await openCredentials(for: target)
        entry.credential = credentials.names.first
        let outgoing = ClientRequest(method: request.method, target: target.originForm,
                                     headers: credentials.outgoingHeaders(from: request, authority: target.authority),
                                     body: request.body)
        let (head, body) = try await dial(outgoing, addresses: addresses, host: target.auditHost)
        if let encoding = head.headers["Content-Encoding"], encoding.lowercased() != "identity",
           !credentials.unsealed.isEmpty {
            throw .upstreamEncoded(encoding)
        }
        entry.status = head.status.code
        return await ResponseRelay(secrets: credentials.secrets, auditor: auditor, logger: logger)
            .response(head, body, audit: entry)
    }

    func loadRules() async throws(ForwardProxyError) -> [EgressRule] {
        do {
            return try await rules.rules()
        } catch {
            logger.error("cannot load the egress rules; refusing proxied requests", metadata: ["error": "\(error)"])
            throw .rulesUnavailable
        }
    }

    private func openCredentials(for target: ForwardTarget) async throws(ForwardProxyError) -> ForwardCredentials {
        let applicable: [Credential]
        do {
            applicable = try await store.credentials(forHost: target.host.name, path: target.path.value)
        } catch {
            logger.error("cannot list credentials", metadata: ["error": "\(error)"])
            throw .rulesUnavailable
        }
        var unsealed: [UnsealedCredential] = []
        for credential in applicable {
            do {
                // Deleted since it was listed: nothing to inject.
                if let opened = try await store.unseal(name: credential.name) { unsealed.append(opened) }
            } catch {
                logger.error("cannot open a credential", metadata: ["credential": "\(credential.name)", "error": "\(error)"])
                throw .credentialUnavailable(credential.name)
            }
        }
        return ForwardCredentials(unsealed: unsealed)
    }

    /// Tries the checked addresses in order, moving on only when one cannot be connected to
    /// (nothing was sent); the host name is never looked up again.
    private func dial(_ request: ClientRequest, addresses: [DialAddress],
                      host: String) async throws(ForwardProxyError) -> (ResponseHead, ClientBodyStream) {
        var lastReason = "no address to dial"
        for address in addresses {
            do {
                return try await client.stream(request, to: .plain(address.socketAddress), idleTimeout: upstreamIdleTimeout)
            } catch {
                lastReason = "\(address): \(error.description)"
                if case .connect = error { continue }
                break
            }
        }
        logger.warning("forward proxy upstream unreachable", metadata: ["host": "\(host)", "error": "\(lastReason)"])
        throw .upstreamUnreachable(host: host, reason: lastReason)
    }
}
