import Foundation
import Store

/// What the proxy does with a request a rule matches.
public enum RuleAction: String, Sendable, CaseIterable {
    case allow, deny, approve
}

/// What a caller asks for: a rule without its id. Fields are as received; `createRule`
/// validates and normalises them.
public struct RuleSpec: Sendable, Equatable {
    public var host: String
    /// Nil matches every method.
    public var methods: [String]?
    public var pathPrefix: String?
    public var action: String
    public var rateLimitPerMinute: Int?

    public init(host: String, methods: [String]? = nil, pathPrefix: String? = nil, action: String,
                rateLimitPerMinute: Int? = nil) {
        self.host = host; self.methods = methods; self.pathPrefix = pathPrefix; self.action = action
        self.rateLimitPerMinute = rateLimitPerMinute
    }
}

/// A stored egress rule (SPEC §5): which requests to a host it covers and what happens to them.
/// `host` is an exact name, an IP address, or `*.suffix` (names under suffix, not suffix itself).
public struct Rule: Sendable, Equatable, JSONWritable {
    public var id: String
    public var host: String
    public var methods: [String]?
    public var pathPrefix: String?
    public var action: RuleAction
    public var rateLimitPerMinute: Int?
    public var createdBy: String?
    public var createdAt: String

    init(_ record: EgressRuleRecord) {
        id = record.id; host = record.host; pathPrefix = record.pathPrefix
        methods = record.methods.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        // The table's CHECK constraint admits only the three actions; deny is the safe reading anyway.
        action = RuleAction(rawValue: record.action) ?? .deny
        rateLimitPerMinute = record.rateLimitPerMinute.map(Int.init)
        createdBy = record.createdBy; createdAt = record.createdAt
    }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("action", action.rawValue); w.key("created_at", createdAt); w.key("host", host); w.key("id", id)
        w.key("methods"); if let methods { w.array(methods) } else { w.null() }
        w.key("object", "rule"); w.key("path_prefix", pathPrefix)
        w.key("rate_limit_per_minute"); if let rateLimitPerMinute { w.int(Int64(rateLimitPerMinute)) } else { w.null() }
        w.objectEnd()
    }
}

extension Transaction {
    /// Stores a rule after checking every field; an unusable one is `CoreError.invalid` naming it,
    /// and nothing is stored.
    public func createRule(_ spec: RuleSpec, actor: String?) throws -> Rule {
        let host = try RuleValidation.host(spec.host)
        let methods = try RuleValidation.methods(spec.methods)
        let pathPrefix = try RuleValidation.pathPrefix(spec.pathPrefix)
        let action = try RuleValidation.action(spec.action)
        let rateLimit = try RuleValidation.rateLimit(spec.rateLimitPerMinute, action: action)
        let methodsJSON = methods.map { JSONValue.array($0.map(JSONValue.string)).encodedText }
        let record = EgressRuleRecord(id: makeID(.rule), host: host, methods: methodsJSON, pathPrefix: pathPrefix,
                                      action: action.rawValue, rateLimitPerMinute: rateLimit.map(Int64.init), createdBy: actor, createdAt: now)
        try RuleRepository(db).insert(record)
        try audit("rule.created", actor: actor, subject: record.id, detail: Self.auditDetail(record))
        return Rule(record)
    }

    public func deleteRule(_ id: String, actor: String?) throws {
        let rules = RuleRepository(db)
        guard let record = try rules.find(id) else { throw CoreError.notFound(kind: "rule", id: id) }
        _ = try rules.delete(id)
        try audit("rule.deleted", actor: actor, subject: id, detail: Self.auditDetail(record))
    }

    private static func auditDetail(_ record: EgressRuleRecord) -> [String: JSONValue] {
        ["host": .string(record.host), "action": .string(record.action),
         "methods": record.methods.map(JSONValue.decode) ?? .null,
         "path_prefix": record.pathPrefix.map(JSONValue.string) ?? .null,
         "rate_limit_per_minute": record.rateLimitPerMinute.map(JSONValue.integer) ?? .null]
    }
}

extension WardenCore {
    public func listRules(page: PageRequest) async throws -> Page<Rule> {
        try await read { try RuleRepository($0).list(page: page) }.map(Rule.init)
    }

    /// Every rule, oldest first: what the proxy matches requests against. It reads them per
    /// request (or caches briefly), so a rule takes effect without a restart.
    public func listRules() async throws -> [Rule] {
        try await read { try RuleRepository($0).all() }.map(Rule.init)
    }
}
