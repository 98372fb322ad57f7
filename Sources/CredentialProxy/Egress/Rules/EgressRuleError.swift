/// Why an egress rule cannot be used as written.
public enum EgressRuleError: Error, Sendable, Equatable {
    case invalidHost(String, HostRefusal)
    /// An empty set would match nothing; leave methods out to match every method.
    case noMethods
    case invalidMethod(String)
    case invalidPathPrefix(String, PathRefusal)
    /// A query is not part of a path; rules cannot match on one.
    case pathPrefixHasQuery(String)
    case invalidRateLimit(Int)

    public var reason: String {
        switch self {
        case .invalidHost(let host, let refusal):
            return "host '\(host)' is not usable: \(refusal.reason); use a name such as api.example.com or *.example.com"
        case .noMethods: return "methods is empty; leave it out to match every method"
        case .invalidMethod(let method): return "'\(method)' is not an HTTP method"
        case .invalidPathPrefix(let prefix, let refusal): return "path prefix '\(prefix)' is not usable: \(refusal.reason)"
        case .pathPrefixHasQuery(let prefix): return "path prefix '\(prefix)' has a query; rules match paths only"
        case .invalidRateLimit(let limit): return "rate limit \(limit) must be at least 1 request per minute"
        }
    }
}
