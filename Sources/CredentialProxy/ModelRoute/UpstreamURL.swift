import HTTP

/// A provider base URL such as `http://127.0.0.1:9999` or `http://gateway:8080/v1`: where the
/// route sends requests, and the path they are appended to. Only `http://` for now: the HTTP
/// client has no TLS yet.
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    public let address: SocketAddress
    /// `host` or `host:port`, as the `Host` header and audit entries name it.
    public let authority: String
    /// Empty or `/segment…` without a trailing slash.
    public let pathPrefix: String

    public init(parsing text: String) throws(UpstreamURLError) {
        let lower = text.lowercased()
        if lower.hasPrefix("https://") { throw .tlsNotSupported }
        guard lower.hasPrefix("http://") else { throw .invalid("it must start with http://") }
        let rest = text.dropFirst("http://".count)
        guard !rest.contains("?"), !rest.contains("#"), !rest.contains(" ") else {
            throw .invalid("it must not have a query, fragment or spaces")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        guard !authority.isEmpty, !authority.contains("@") else { throw .invalid("it needs a host (and no user info)") }
        let (host, port) = try Self.split(authority)
        address = .tcp(host: host, port: port)
        self.authority = authority
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        pathPrefix = path
    }

    /// `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`; port 80 when absent.
    private static func split(_ authority: String) throws(UpstreamURLError) -> (String, Int) {
        var host = authority
        var port = 80
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

    public var description: String { "http://\(authority)\(pathPrefix)" }
}

public enum UpstreamURLError: Error, Sendable, Equatable {
    case tlsNotSupported
    case invalid(String)
}
