import Core
import Synchronization

/// The stored egress rules as `EgressRule`s, read from the database at most once per
/// `maxAge`, so a burst of requests costs one query and a new rule takes effect within a second.
final class EgressRuleCache: Sendable {
    enum LoadError: Error { case unusableRule(id: String, reason: String) }

    private struct Cached {
        var rules: [EgressRule]
        var loadedAt: ContinuousClock.Instant
    }

    private let core: WardenCore
    private let maxAge: Duration
    private let cached = Mutex<Cached?>(nil)

    init(core: WardenCore, maxAge: Duration = .seconds(1)) {
        self.core = core
        self.maxAge = maxAge
    }

    /// The current rules; throws (fail closed) when they cannot be read or one cannot be used —
    /// skipping an unusable deny rule would let through what it denies.
    func rules(now: ContinuousClock.Instant = .now) async throws -> [EgressRule] {
        if let hit = cached.withLock({ $0 }), hit.loadedAt.duration(to: now) < maxAge { return hit.rules }
        let rules = try await core.listRules().map(Self.egressRule)
        cached.withLock { $0 = Cached(rules: rules, loadedAt: now) }
        return rules
    }

    static func egressRule(_ rule: Rule) throws -> EgressRule {
        let action: EgressAction = switch rule.action {
        case .allow: .allow
        case .deny: .deny
        case .approve: .approve
        }
        do {
            return try EgressRule(id: rule.id, host: rule.host, methods: rule.methods.map(Set.init),
                                  pathPrefix: rule.pathPrefix, action: action, rateLimitPerMinute: rule.rateLimitPerMinute)
        } catch {
            throw LoadError.unusableRule(id: rule.id, reason: error.reason)
        }
    }
}
