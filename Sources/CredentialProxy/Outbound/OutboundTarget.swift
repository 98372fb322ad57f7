/// The absolute URL of an outbound call, split the way the proxy needs it.
struct OutboundTarget: Sendable {
    let secure: Bool
    let host: EgressHost
    let port: Int
    /// `host[:port]` for the Host header.
    let authority: String
    /// The path, normalised, without the query (for audit rows).
    let path: String
    /// Path and query as sent.
    let originForm: String

    var auditHost: String { port == (secure ? 443 : 80) ? host.description : "\(host):\(port)" }

    init(_ url: String) throws(OutboundCallError) {
        let secure: Bool
        let rest: Substring
        if url.hasPrefix("https://") { (secure, rest) = (true, url.dropFirst(8)) }
        else if url.hasPrefix("http://") { (secure, rest) = (false, url.dropFirst(7)) }
        else { throw .invalidURL("only http:// and https:// URLs are called") }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.isEmpty, !authority.contains("@") else { throw .invalidURL("it needs a host and no user info") }
        do {
            (host, port) = try ForwardTarget.split(authority, defaultPort: secure ? 443 : 80)
        } catch {
            throw .invalidURL(error.message)
        }
        var pathAndQuery = String(rest[authorityEnd...])
        if let fragment = pathAndQuery.firstIndex(of: "#") { pathAndQuery = String(pathAndQuery[..<fragment]) }
        if pathAndQuery.isEmpty || pathAndQuery.hasPrefix("?") { pathAndQuery = "/" + pathAndQuery }
        self.secure = secure
        self.authority = authority
        originForm = pathAndQuery
        path = String(pathAndQuery.prefix { $0 != "?" })
    }
}
