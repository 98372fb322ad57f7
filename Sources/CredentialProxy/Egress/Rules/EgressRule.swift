/// One egress rule (SPEC §5): which requests an agent may send, must have approved, or may not
/// send. The stored form is the `egress_rules` table.
public struct EgressRule: Sendable, Hashable, Identifiable {
    public let id: String
    public let host: HostPattern
    /// Upper-case; nil matches every method.
    public let methods: Set<String>?
    /// Normalised; matches on segment boundaries (`/v1` matches `/v1/x`, not `/v10`). nil matches all.
    public let pathPrefix: NormalizedPath?
    public let action: EgressAction
    /// Requests per minute per session; nil for no limit.
    public let rateLimitPerMinute: Int?

    public init(id: String, host: String, methods: Set<String>? = nil, pathPrefix: String? = nil,
                action: EgressAction, rateLimitPerMinute: Int? = nil) throws(EgressRuleError) {
        do {
            self.host = try HostPattern(parsing: host)
        } catch {
            throw .invalidHost(host, error)
        }
        self.methods = try methods.map { methods throws(EgressRuleError) in try Self.validated(methods) }
        self.pathPrefix = try pathPrefix.map { prefix throws(EgressRuleError) in try Self.normalised(prefix) }
        if let limit = rateLimitPerMinute, limit < 1 { throw .invalidRateLimit(limit) }
        self.id = id
        self.action = action
        self.rateLimitPerMinute = rateLimitPerMinute
    }

    /// Methods compare case-insensitively, although RFC 9110 says they are case-sensitive:
    /// otherwise `delete` would slip past a rule denying DELETE to a server that accepts both.
    /// For the same reason deny and approve rules match paths as any server might read them
    /// (`/ADMIN;x` is within `/admin`), while allow rules match only the path as written: each
    /// kind of rule errs on the side of holding the request back.
    func matches(method: String, host: EgressHost, path: NormalizedPath) -> Bool {
        guard self.host.matches(host), methods?.contains(method.uppercased()) ?? true else { return false }
        guard let pathPrefix else { return true }
        return action == .allow ? path.isWithin(pathPrefix) : path.isWithinAsAnyServerReads(pathPrefix)
    }

    private static func validated(_ methods: Set<String>) throws(EgressRuleError) -> Set<String> {
        guard !methods.isEmpty else { throw .noMethods }
        for method in methods where method.isEmpty || !method.utf8.allSatisfy(HTTPToken.isTokenByte) {
            throw .invalidMethod(method)
        }
        return Set(methods.map { $0.uppercased() })
    }

    private static func normalised(_ prefix: String) throws(EgressRuleError) -> NormalizedPath {
        guard !prefix.contains("?") else { throw .pathPrefixHasQuery(prefix) }
        do {
            return try NormalizedPath(prefix)
        } catch {
            throw .invalidPathPrefix(prefix, error)
        }
    }
}

/// RFC 9110 `tchar`, which methods are made of.
enum HTTPToken {
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
