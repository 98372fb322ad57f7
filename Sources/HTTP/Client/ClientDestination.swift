import Foundation

/// Where `HTTPClient` sends a request: a socket address and, for HTTPS, the name TLS verifies.
/// The name is separate from the address so that a caller which resolved and vetted the IP
/// itself (the credential proxy) still verifies the certificate for the host it meant.
public struct ClientDestination: Sendable, Equatable, CustomStringConvertible {
    public var address: SocketAddress
    /// Sent as SNI and checked against the certificate; nil for plain HTTP.
    public var tlsServerName: String?

    public init(address: SocketAddress, tlsServerName: String? = nil) {
        self.address = address
        self.tlsServerName = tlsServerName
    }

    public static func plain(_ address: SocketAddress) -> ClientDestination {
        ClientDestination(address: address)
    }

    /// TLS to `address`, verifying the certificate for `serverName` (a DNS name or an IP literal).
    public static func tls(_ address: SocketAddress, serverName: String) -> ClientDestination {
        ClientDestination(address: address, tlsServerName: serverName)
    }

    /// `https://host:port`: dials `host` and verifies the certificate for it.
    public static func https(host: String, port: Int = 443) -> ClientDestination {
        .tls(.tcp(host: host, port: port), serverName: host)
    }

    public var isTLS: Bool { tlsServerName != nil }

    /// Plain and TLS connections to one address never share a pool entry, and neither do TLS
    /// connections verified for different names.
    var poolKey: String {
        guard let name = tlsServerName else { return address.description }
        return "tls:\(name)@\(address)"
    }

    /// The Host header added when a request has none. Over TLS it names the verified host, so
    /// Host and SNI agree; the port is left out when it is the scheme's default.
    var defaultHost: String {
        guard let name = tlsServerName else {
            switch address {
            case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unix: return "localhost"
            }
        }
        let bracketed = name.contains(":") ? "[\(name)]" : name
        if case .tcp(_, let port) = address, port != 443 { return "\(bracketed):\(port)" }
        return bracketed
    }

    /// Over TLS a Host header must name the host whose certificate was verified; otherwise the
    /// request would reach a virtual host the TLS layer never vouched for.
    func checkHostHeader(_ headers: HTTPHeaders) throws(TLSError) {
        guard let name = tlsServerName, let host = headers["Host"] else { return }
        guard Self.hostname(ofHostHeader: host) == Self.normalized(name) else {
            throw TLSError(.hostMismatch, "the Host header '\(host)' does not name the TLS server \(name)")
        }
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port` → the host, lowercased, without a trailing dot.
    static func hostname(ofHostHeader value: String) -> String {
        var host = Substring(value.trimmingCharacters(in: [" ", "\t"]))
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return normalized(String(host))
    }

    private static func normalized(_ name: String) -> String {
        var lower = name.lowercased()
        if lower.hasSuffix(".") { lower.removeLast() }
        return lower
    }

    public var description: String {
        guard let name = tlsServerName else { return address.description }
        if case .tcp(let host, _) = address, host == name { return "https://\(defaultHost)" }
        return "tls(\(name)) via \(address)"
    }
}
