import HTTP

/// Where an absolute-form `http://authority/path?query` request goes: the host as rules compare
/// it, the port, the normalised path and the query (forwarded, never audited).
struct ForwardTarget: Sendable {
    let host: EgressHost
    let port: Int
    /// `host` or `host:port` as the agent wrote it; the upstream's `Host` header.
    let authority: String
    let path: NormalizedPath
    let query: String?
    /// Inside an intercepted CONNECT: the upstream is dialled over verified TLS.
    let secure: Bool

    /// What the upstream receives as its request target.
    var originForm: String { path.value + (query.map { "?" + $0 } ?? "") }

    /// `host[:port]` as audit rows show it (the port only when not the scheme's default).
    var auditHost: String { port == (secure ? 443 : 80) ? host.description : "\(host):\(port)" }

    init(_ request: Request) throws(ForwardProxyError) {
        guard case .absolute(let scheme, let authority, let rawPath, let query) = request.target else {
            throw .notAbsoluteForm(request.path)
        }
        guard scheme == "http" else { throw .httpsAbsoluteForm }
        (host, port) = try Self.split(authority)
        // RFC 9112 §3.2.2: a proxy uses the target's authority, and the Host header must agree.
        let hostHeader = request.headers["Host"] ?? ""
        let claimed: (EgressHost, Int)
        do { claimed = try Self.split(hostHeader) } catch { throw .hostMismatch(target: authority, host: hostHeader) }
        guard claimed == (host, port) else { throw .hostMismatch(target: authority, host: hostHeader) }
        do {
            path = try NormalizedPath(rawPath)
        } catch {
            throw .invalidPath(error.reason)
        }
        self.authority = authority
        self.query = query
        secure = false
    }

    /// A CONNECT's authority-form target, `HOST:PORT` or `[V6]:PORT` (the port is required),
    /// checked against the Host header: same host, and the same port if it names one.
    static func connectTarget(_ authority: String, hostHeader: String?) throws(ForwardProxyError) -> (EgressHost, Int) {
        guard let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") else {
            throw .invalidAuthority("CONNECT needs host:port, with the port")
        }
        let target = try split(authority)
        guard let hostHeader else { return target }
        let claimed: (EgressHost, Int)
        do { claimed = try split(hostHeader) } catch { throw .hostMismatch(target: authority, host: hostHeader) }
        let headerHasPort = hostHeader.lastIndex(of: ":").map { !hostHeader[$0...].contains("]") } ?? false
        guard claimed.0 == target.0, !headerHasPort || claimed.1 == target.1 else {
            throw .hostMismatch(target: authority, host: hostHeader)
        }
        return target
    }

    /// `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`; `defaultPort` when absent.
    static func split(_ authority: String, defaultPort: Int = 80) throws(ForwardProxyError) -> (EgressHost, Int) {
        var hostText = Substring(authority)
        var port = defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            let digits = authority[authority.index(after: colon)...]
            guard !digits.isEmpty, digits.utf8.count <= 5, digits.allSatisfy(\.isASCIIDigit), let p = Int(digits),
                  (1...65535).contains(p) else {
                throw .invalidAuthority("the port is not a number from 1 to 65535")
            }
            port = p
            hostText = authority[..<colon]
        }
        do {
            return (try EgressHost(parsing: hostText), port)
        } catch {
            throw .invalidAuthority(error.reason)
        }
    }
}
