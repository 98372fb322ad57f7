import HTTP

/// A provider base URL such as `https://api.anthropic.com`, `http://127.0.0.1:9999` or
/// `http://gateway:8080/v1`: where the route sends requests, and the path they are appended to.
/// `https://` upstreams are verified against the system trust store for the URL's host.
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    public let address: SocketAddress
    /// Where to dial, and for https the name the certificate must carry.
    public let destination: ClientDestination
    /// `host` or `host:port`, as the `Host` header and audit entries name it.
    public let authority: String
    /// Empty or `/segment…` without a trailing slash.
    public let pathPrefix: String

    public init(parsing text: String) throws(UpstreamURLError) {
        let lower = text.lowercased()
        let secure = lower.hasPrefix("https://")
        guard secure || lower.hasPrefix("http://") else { throw .invalid("it must start with https:// or http://") }
        let rest = text.dropFirst(secure ? "https://".count : "http://".count)
        guard !rest.contains("?"), !rest.contains("#"), !rest.contains(" ") else {
            throw .invalid("it must not have a query, fragment or spaces")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        guard !authority.isEmpty, !authority.contains("@") else { throw .invalid("it needs a host (and no user info)") }
        let (host, port) = try Self.split(authority, defaultPort: secure ? 443 : 80)
        address = .tcp(host: host, port: port)
        destination = secure ? .tls(address, serverName: host) : .plain(address)
        self.authority = authority
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        pathPrefix = path
    }

    /// `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`; the scheme's port when absent.
    private static func split(_ authority: String, defaultPort: Int) throws(UpstreamURLError) -> (String, Int) {
        var host = authority
        var port = defaultPort
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw .invalid("its port is not a number from 1 to 65535")
            }
            port = p
            host = String(authority[..<colon])
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalid("it needs a host") }
        return (host, port)
    }

    /// The request target upstream for `rest` (which starts with `/`) and the agent's query.
    func target(for rest: String, query: String?) -> String {
        pathPrefix + rest + (query.map { "?" + $0 } ?? "")
    }

    public var description: String { "\(destination.isTLS ? "https" : "http")://\(authority)\(pathPrefix)" }
}

public enum UpstreamURLError: Error, Sendable, Equatable {
    case invalid(String)
}
