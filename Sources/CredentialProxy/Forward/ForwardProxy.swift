import Core
import HTTP
import Logging

/// The forward proxy on a session's proxy.sock (SPEC §5; CONNECT in ForwardProxy+Connect, the
/// requests of an intercepted CONNECT in Intercept/): an absolute-form
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
    /// Leaf certificates for intercepted CONNECTs; without it such hosts are refused (501).
    let interception: InterceptionAuthority?
    let upstreamIdleTimeout: Duration
    /// How long a CONNECT waits for each upstream address to accept.
    let connectTimeout: Duration
    let logger: Logger

    public init(store: CredentialStore, client: HTTPClient, resolver: EgressResolver = EgressResolver(),
                rateLimiter: EgressRateLimiter = EgressRateLimiter(), upstreamIdleTimeout: Duration = .seconds(120),
                connectTimeout: Duration = .seconds(10), approvalTimeout: Duration = .seconds(180),
                modelHosts: [EgressHost] = [], interception: InterceptionAuthority? = nil,
                logger: Logger = Logger(label: "warden.proxy")) {
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
        self.interception = interception
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
        if request.method == "CONNECT" { return try await connect(request, session: session, audit: &entry) }
        return try await relay(request, to: try ForwardTarget(request), session: session, audit: &entry)
    }

    /// Decides one request (plain, or decrypted from an intercepted CONNECT) and relays it: rules,
    /// rate limit, an approval hold, the SSRF guard, credentials, and the scrubbed answer.
    func relay(_ request: Request, to target: ForwardTarget, session: String,
               audit entry: inout ProxyAuditEntry) async throws(ForwardProxyError) -> Response {
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
            switch try await approvals.hold(held, session: session, disconnect: request.disconnect) {
            case .approved(let id):
                entry.approval = id
            case .refused(let id, let status, let reason):
                entry.approval = id
                throw .approvalRefused(approvalID: id, status: status, reason: reason)
            }
        }

        let addresses = try await checkedAddresses(target.host, port: target.port, audit: target.auditHost,
                                                   allowPrivate: decision.namesHostExplicitly)
        let credentials = try await openCredentials(for: target)
        entry.credential = credentials.names.first
        let outgoing = ClientRequest(method: request.method, target: target.originForm,
                                     headers: credentials.outgoingHeaders(from: request, authority: target.authority),
                                     body: request.body)
        let (head, body) = try await dial(outgoing, addresses: addresses, target: target)
        if let encoding = head.headers["Content-Encoding"], encoding.lowercased() != "identity",
           !credentials.unsealed.isEmpty {
            throw .upstreamEncoded(encoding)
        }
        entry.status = head.status.code
        return await ResponseRelay(secrets: credentials.secrets, auditor: auditor, logger: logger)
            .response(head, body, audit: entry, requestID: request.requestID)
    }

    /// The SSRF guard (SPEC §5): the host resolved once, every address checked.
    func checkedAddresses(_ host: EgressHost, port: Int, audit: String,
                          allowPrivate: Bool) async throws(ForwardProxyError) -> [DialAddress] {
        do {
            return try await resolver.resolve(host, port: port, allowPrivate: allowPrivate)
        } catch {
            switch error {
            case .lookupFailed, .noAddresses: throw .upstreamUnreachable(host: audit, reason: error.reason)
            default: throw .addressRefused(error.reason)
            }
        }
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

    private func dial(_ request: ClientRequest, addresses: [DialAddress],
                      target: ForwardTarget) async throws(ForwardProxyError) -> (ResponseHead, ClientBodyStream) {
        do {
            return try await client.stream(request, toChecked: addresses, secure: target.secure, serverName: target.host.name,
                                           idleTimeout: upstreamIdleTimeout)
        } catch {
            logger.warning("forward proxy upstream unreachable", metadata: ["host": "\(target.auditHost)", "error": "\(error.reason)"])
            throw .upstreamUnreachable(host: target.auditHost, reason: error.reason)
        }
    }
}
