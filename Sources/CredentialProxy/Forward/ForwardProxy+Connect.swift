import HTTP

/// CONNECT on proxy.sock (SPEC §5). A host whose requests warden need not see — a whole-host
/// allow rule, no credential, no narrower rule that denies or holds some of its requests — is
/// tunnelled, its bytes passed through unseen: the SSRF guard checks the host, the checked
/// address is dialled, and one `proxy.request` row is written when the tunnel ends, with the
/// bytes each way. A host that has a credential, an approve rule, or rules that decide
/// per method or path is intercepted: warden answers the TLS handshake itself with a leaf the
/// proxy CA signed for the host, and decides and relays each request inside (`Intercept/`).
/// A host no rule could let any request through to is refused at the CONNECT.
extension ForwardProxy {
    enum ConnectPlan: Equatable {
        case tunnel(EgressDecision)
        case intercept
    }

    func connect(_ request: Request, session: String,
                 audit entry: inout ProxyAuditEntry) async throws(ForwardProxyError) -> Response {
        guard case .authority(let authority) = request.target else {
            throw .invalidAuthority("CONNECT needs host:port as its target")
        }
        entry.route = .tunnel
        let (host, port) = try ForwardTarget.connectTarget(authority, hostHeader: request.headers["Host"])
        entry.host = "\(host):\(port)"
        entry.path = ""

        let plan = try Self.connectPlan(host: host, rules: try await loadRules(), modelHosts: modelHosts,
                                        hasCredential: try await hasCredential(host))
        switch plan {
        case .intercept:
            entry.route = .intercepted
            return try intercept(host: host, port: port, identity: request.listenerContext)
        case .tunnel(let decision):
            entry.rule = decision.rule?.id
            return try await tunnel(host: host, port: port, decision: decision, session: session, audit: &entry)
        }
    }

    /// Tunnel, intercept, or refuse, from the rules that concern `host`.
    static func connectPlan(host: EgressHost, rules: [EgressRule], modelHosts: [EgressHost] = [],
                            hasCredential: Bool) throws(ForwardProxyError) -> ConnectPlan {
        let hostRules = rules.filter { $0.host.matches(host) }
        let wholeHost = hostRules.filter { $0.pathPrefix == nil && $0.methods == nil }
        let decision = EgressPolicy.decide(method: "CONNECT", host: host, path: NormalizedPath.root, rules: wholeHost,
                                           alwaysAllowedHosts: modelHosts)
        if decision.action == .allow, !hasCredential {
            // A narrower deny or approve rule at least as specific in host would win for some
            // request inside the tunnel, which warden could not see.
            let specificity = decision.rule?.host.specificity ?? Int.max
            let narrower = hostRules.contains {
                $0.action != .allow && ($0.pathPrefix != nil || $0.methods != nil) && $0.host.specificity >= specificity
            }
            if !narrower { return .tunnel(decision) }
            return .intercept
        }
        // Some request may get through (or be held): look inside. Otherwise nothing can.
        if decision.action != .deny || hostRules.contains(where: { $0.action != .deny }) { return .intercept }
        throw .denied(decision.reason)
    }

    private func intercept(host: EgressHost, port: Int, identity: (any Sendable)?) throws(ForwardProxyError) -> Response {
        guard let interception else {
            throw .interceptionRequired("warden must see the requests to \(host)")
        }
        let context = try interception.context(for: host)
        let requests = InterceptedRequests(proxy: self, host: host, port: port)
        return Response(status: .ok, body: .intercept(TLSInterception(context: context, handler: requests,
                                                                      connectionContext: identity)))
    }

    private func tunnel(host: EgressHost, port: Int, decision: EgressDecision, session: String,
                        audit entry: inout ProxyAuditEntry) async throws(ForwardProxyError) -> Response {
        if let rule = decision.rule {
            let outcome = rateLimiter.allow(session: session, rule: rule)
            guard outcome.isAllowed else { throw .rateLimited(ruleID: rule.id, retryAfter: outcome.retryAfterSeconds) }
        }
        let addresses = try await checkedAddresses(host, port: port, audit: "\(host):\(port)",
                                                   allowPrivate: decision.namesHostExplicitly)
        var lastReason = "no address to dial"
        for address in addresses {
            do {
                let fd = try await SocketDialer.connect(address.socketAddress, timeout: connectTimeout)
                entry.status = 200
                let finished = entry
                let auditor = self.auditor
                return Response(status: .ok, body: .tunnel(TunnelUpstream(fd: fd) { totals in
                    var row = finished
                    row.bytes = totals.fromUpstream
                    row.bytesSent = totals.fromClient
                    // The agent's connection was gone (or warden draining) before the 200 went out.
                    if !totals.opened { row.error = "tunnel_not_opened" }
                    Task { await auditor.record(row) }
                }))
            } catch {
                lastReason = "\(address): \(error.description)"
            }
        }
        logger.warning("CONNECT upstream unreachable", metadata: ["host": "\(host):\(port)", "error": "\(lastReason)"])
        throw .upstreamUnreachable(host: "\(host):\(port)", reason: lastReason)
    }

    private func hasCredential(_ host: EgressHost) async throws(ForwardProxyError) -> Bool {
        do {
            return try await store.list().contains { $0.matches(host: host.name) }
        } catch {
            logger.error("cannot list credentials", metadata: ["error": "\(error)"])
            throw .rulesUnavailable
        }
    }
}

extension NormalizedPath {
    // "/" always normalises.
    // swiftlint:disable:next force_try
    static let root = try! NormalizedPath("/")
}
