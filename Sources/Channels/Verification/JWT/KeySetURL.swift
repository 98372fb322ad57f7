import Foundation
import HTTP

/// Where a key set or OpenID metadata document lives, as `HTTPClient` dials it. HTTPS always,
/// verified against the system trust store; plain HTTP only to a loopback host (a local test
/// server), because keys fetched over an open network without TLS could be anyone's.
struct KeySetURL: Sendable, CustomStringConvertible {
    let destination: ClientDestination
    /// Path and query, as the request line carries them.
    let target: String
    let text: String

    init(_ text: String) throws(VerifierConfigurationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            throw .invalidURL("'\(text)' is not an absolute URL")
        }
        guard components.user == nil, components.password == nil, components.fragment == nil else {
            throw .invalidURL("'\(text)' must not carry user info or a fragment")
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        switch scheme {
        case "https":
            destination = .tls(.tcp(host: bareHost, port: components.port ?? 443), serverName: bareHost)
        case "http" where Self.isLoopback(bareHost):
            destination = .plain(.tcp(host: bareHost, port: components.port ?? 80))
        default:
            throw .invalidURL("'\(text)' must be https:// (plain http:// is accepted for loopback hosts only)")
        }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = path + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        self.text = text
    }

    var description: String { text }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
