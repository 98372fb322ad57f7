import HTTP

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus the proxy
/// ones: a proxy must not pass them on in either direction.
enum HopByHop {
    static let names: Set<String> = [
        "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-connection", "proxy-authenticate", "proxy-authorization",
    ]

    static func isHopByHop(_ name: String) -> Bool {
        let lower = name.lowercased()
        return names.contains(lower) || lower.hasPrefix("proxy-")
    }

    /// `headers` without hop-by-hop fields, including any that `Connection` names.
    static func stripped(_ headers: HTTPHeaders) -> HTTPHeaders {
        let named = Set(headers.tokens("Connection"))
        return HTTPHeaders(headers.filter { !isHopByHop($0.name) && !named.contains($0.name.lowercased()) })
    }
}
