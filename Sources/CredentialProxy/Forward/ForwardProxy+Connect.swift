import HTTP

/// CONNECT on proxy.sock (SPEC §5): an allowed host without a credential is tunnelled, its
/// bytes passed through unseen. The tunnel is decided on the host alone, since its requests
/// are encrypted: a whole-host rule (no methods, no path prefix) must allow it, and no
/// narrower rule may need to see a request — such hosts, and hosts with a credential, need
/// interception, which is not built yet (501). Then the SSRF guard: resolve once, check every
/// address, dial only checked ones. One `proxy.request` audit row per tunnel, written when it
/// ends, with the bytes each way.
extension ForwardProxy {
    func tunnel(_ request: Request, session: String,
                audit entry: inout ProxyAuditEntry) async throws(ForwardProxyError) -> Response {
        guard case .authority(let authority) = request.target else {
            throw .invalidAuthority("CONNECT needs host:port as its target")
        }
        let (host, port) = try ForwardTarget.connectTarget(authority, hostHeader: request.headers["Host"])
        entry.route = .tunnel
        entry.host = "\(host):\(port)"
        entry.path = ""

        let decision = try Self.tunnelDecision(host: host, rules: try await loadRules(), modelHosts: modelHosts)
        entry.rule = decision.rule?.id
        if let rule = decision.rule {
            let outcome = rateLimiter.allow(session: session, rule: rule)
            guard outcome.isAllowed else { throw .rateLimited(ruleID: rule.id, retryAfter: outcome.retryAfterSeconds) }
        }
        try await refuseHostsWithCredentials(host)

        let addresses: [DialAddress]
        do {
            addresses = try await resolver.resolve(host, port: port, allowPrivate: decision.namesHostExplicitly)
        } catch {
            switch error {
            case .lookupFailed, .noAddresses: throw .upstreamUnreachable(host: "\(host):\(port)", reason: error.reason)
            default: throw .addressRefused(error.reason)
            }
        }

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

    /// Whether a tunnel to `host` may open, from the rules that concern the host as a whole.
    static func tunnelDecision(host: EgressHost, rules: [EgressRule],
                               modelHosts: [EgressHost] = []) throws(ForwardProxyError) -> EgressDecision {
        let hostRules = rules.filter { $0.host.matches(host) }
        let wholeHost = hostRules.filter { $0.pathPrefix == nil && $0.methods == nil }
        let decision = EgressPolicy.decide(method: "CONNECT", host: host, path: NormalizedPath.root, rules: wholeHost,
                                           alwaysAllowedHosts: modelHosts)
        switch decision.action {
        case .deny:
            if case .noMatchingRule = decision.basis,
               let narrow = hostRules.first(where: { $0.action == .allow }) {
                throw .interceptionRequired("egress rule \(narrow.id) allows only some requests to \(host)")
            }
            throw .denied(decision.reason)
        case .approve:
            throw .approvalRequired(decision.reason)
        case .allow:
            // A narrower deny or approve rule at least as specific in host would win for some
            // request inside the tunnel, which warden could not see.
            let specificity = decision.rule?.host.specificity ?? Int.max
            if let narrow = hostRules.first(where: {
                $0.action != .allow && ($0.pathPrefix != nil || $0.methods != nil) && $0.host.specificity >= specificity
            }) {
                throw .interceptionRequired("egress rule \(narrow.id) \(narrow.action == .deny ? "denies" : "holds") "
                    + "some requests to \(host)")
            }
            return decision
        }
    }

    private func refuseHostsWithCredentials(_ host: EgressHost) async throws(ForwardProxyError) {
        let credentials: [Credential]
        do {
            credentials = try await store.list()
        } catch {
            logger.error("cannot list credentials", metadata: ["error": "\(error)"])
            throw .rulesUnavailable
        }
        if let credential = credentials.first(where: { $0.matches(host: host.name) }) {
            throw .interceptionRequired("the credential '\(credential.name)' is injected for \(host)")
        }
    }
}

extension NormalizedPath {
    // "/" always normalises.
    // swiftlint:disable:next force_try
    static let root = try! NormalizedPath("/")
}
