import HTTP

/// The requests inside one intercepted CONNECT: decrypted by the server, each is decided and
/// relayed like a plain forwarded request, over a verified TLS connection to the host the
/// CONNECT named. The connection context is the proxy socket's own identity, so the session
/// is the one the CONNECT arrived for.
struct InterceptedRequests: HTTPHandler {
    let proxy: ForwardProxy
    let host: EgressHost
    let port: Int

    func handle(_ request: Request) -> HandlerResult {
        var entry = ProxyAuditEntry(session: nil, route: .intercepted, method: request.method, path: request.path)
        entry.host = port == 443 ? host.description : "\(host):\(port)"
        entry.requestBytes = request.body.count
        return proxy.auditor.exchange(request, entry: entry, noSession: ForwardProxyError.noSession,
                                      logger: proxy.logger) { [self] session, entry throws(ForwardProxyError) in
            guard request.method != "TRACE" else { throw .traceRefused }
            let target = try ForwardTarget(intercepted: request, host: host, port: port)
            return try await proxy.relay(request, to: target, session: session, audit: &entry)
        }
    }
}

extension ForwardTarget {
    /// A request inside an intercepted CONNECT to `host:port`: origin-form, with a Host header
    /// naming the same host (and port, if it gives one), and an SNI — when the client sent one —
    /// naming it too (SPEC §5: Host, SNI and CONNECT agree, 421 otherwise).
    init(intercepted request: Request, host: EgressHost, port: Int) throws(ForwardProxyError) {
        guard case .origin(let rawPath, let query) = request.target else {
            throw .notOriginForm(request.method)
        }
        let connect = port == 443 ? host.description : "\(host):\(port)"
        let hostHeader = request.headers["Host"] ?? ""
        let claimed: (EgressHost, Int)
        do { claimed = try Self.split(hostHeader, defaultPort: 443) } catch { throw .hostMismatch(target: connect, host: hostHeader) }
        let headerHasPort = hostHeader.lastIndex(of: ":").map { !hostHeader[$0...].contains("]") } ?? false
        guard claimed.0 == host, !headerHasPort || claimed.1 == port else {
            throw .hostMismatch(target: connect, host: hostHeader)
        }
        if let sni = request.tlsServerName {
            guard let named = try? EgressHost(parsing: sni), named == host else {
                throw .serverNameMismatch(connect: connect, serverName: sni)
            }
        }
        do {
            path = try NormalizedPath(rawPath)
        } catch {
            throw .invalidPath(error.reason)
        }
        self.host = host
        self.port = port
        self.authority = hostHeader
        self.query = query
        secure = true
    }
}
