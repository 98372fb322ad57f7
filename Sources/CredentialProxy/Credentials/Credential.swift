/// A stored credential as everyone but the proxy sees it: where and how it is injected,
/// never its secret.
public struct Credential: Sendable, Equatable {
    public var id: String
    public var name: String
    public var hosts: [String]
    public var pathPrefix: String?
    public var inject: CredentialInjection
    public var placeholder: String?
    public var createdAt: String
    /// Set when the secret is exchanged for a short-lived token (see `TokenMinter`): such a
    /// credential serves warden's own calls only, never an agent's request.
    public var exchange: CredentialExchange?

    public init(id: String, name: String, hosts: [String], pathPrefix: String?, inject: CredentialInjection,
                placeholder: String?, createdAt: String, exchange: CredentialExchange? = nil) {
        self.id = id; self.name = name; self.hosts = hosts; self.pathPrefix = pathPrefix; self.inject = inject
        self.placeholder = placeholder; self.createdAt = createdAt; self.exchange = exchange
    }

    /// Whether a request to `host` (no port) for `path` is one this credential is for.
    public func applies(toHost host: String, path: String) -> Bool {
        matches(host: host) && matches(path: path)
    }

    public func matches(host rawHost: String) -> Bool {
        var host = rawHost.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        return hosts.contains { pattern in
            guard pattern.hasPrefix("*.") else { return pattern == host }
            // `*.example.com` covers names under example.com, not example.com itself.
            let suffix = pattern.dropFirst(1)
            return host.count > suffix.count && host.hasSuffix(suffix)
        }
    }

    /// `/v1` covers `/v1` and `/v1/…`, not `/v10`.
    public func matches(path: String) -> Bool {
        guard let prefix = pathPrefix, prefix != "/" else { return true }
        guard path.hasPrefix(prefix) else { return false }
        if prefix.hasSuffix("/") || path.utf8.count == prefix.utf8.count { return true }
        return path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: prefix.utf8.count)] == UInt8(ascii: "/")
    }
}

/// A credential with its secret, for the proxy alone. Printing it never shows the secret.
public struct UnsealedCredential: Sendable, CustomStringConvertible {
    public let credential: Credential
    public let secret: Secret

    public init(credential: Credential, secret: Secret) {
        self.credential = credential
        self.secret = secret
    }

    /// The value of `credential.inject.header` to send upstream.
    public var headerValue: Secret { credential.inject.value(for: secret) }

    public var description: String { "UnsealedCredential(\(credential.name), secret: <redacted>)" }
}
