/// The host part of an egress rule.
///
/// `api.example.com` matches that host only. `*.example.com` matches every name below
/// example.com at any depth (`a.example.com`, `a.b.example.com`) but NOT `example.com` itself:
/// write a second rule for the bare domain. A wildcard never matches an IP address.
public enum HostPattern: Sendable, Hashable, CustomStringConvertible {
    case exact(EgressHost)
    /// The domain below which names match, without the `*.`.
    case subdomains(of: String)

    public init(parsing text: String) throws(HostRefusal) {
        guard text.hasPrefix("*.") else {
            self = .exact(try EgressHost(parsing: text))
            return
        }
        let domain = try EgressHost(parsing: text.dropFirst(2))
        guard domain.kind == .name else { throw .invalidCharacter("*") }
        self = .subdomains(of: domain.name)
    }

    public func matches(_ host: EgressHost) -> Bool {
        switch self {
        case .exact(let exact): return exact == host
        case .subdomains(let domain): return host.kind == .name && host.name.hasSuffix("." + domain)
        }
    }

    /// How closely the pattern names a host: any exact host beats any wildcard, and a longer
    /// wildcard domain beats a shorter one (two wildcards matching one host are nested).
    var specificity: Int {
        switch self {
        case .exact: return Int.max
        case .subdomains(let domain): return domain.utf8.count
        }
    }

    public var description: String {
        switch self {
        case .exact(let host): return host.description
        case .subdomains(let domain): return "*." + domain
        }
    }
}
