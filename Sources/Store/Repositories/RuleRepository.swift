/// A row of `egress_rules`. `methods` stays JSON text (an array of method names, or nil for
/// every method): the Store does not interpret it, the Core does.
public struct EgressRuleRecord: Sendable, Equatable {
    public var id: String
    public var host: String
    public var methods: String?
    public var pathPrefix: String?
    public var action: String
    public var rateLimitPerMinute: Int64?
    public var createdBy: String?
    public var createdAt: String

    public init(id: String, host: String, methods: String?, pathPrefix: String?, action: String,
                rateLimitPerMinute: Int64?, createdBy: String?, createdAt: String) {
        self.id = id; self.host = host; self.methods = methods; self.pathPrefix = pathPrefix; self.action = action
        self.rateLimitPerMinute = rateLimitPerMinute; self.createdBy = createdBy; self.createdAt = createdAt
    }
}

public struct RuleRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ r: EgressRuleRecord) throws {
        try db.execute("""
            INSERT INTO egress_rules (id, host, methods, path_prefix, action, rate_limit_per_minute, created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(r.id), .text(r.host), RunRepository.opt(r.methods), RunRepository.opt(r.pathPrefix),
                  .text(r.action), r.rateLimitPerMinute.map(SQLValue.integer) ?? .null, RunRepository.opt(r.createdBy),
                  .text(r.createdAt)])
    }

    public func find(_ id: String) throws -> EgressRuleRecord? {
        try db.queryOne("SELECT * FROM egress_rules WHERE id = ?", [.text(id)]).map(Self.record)
    }

    public func list(page: PageRequest) throws -> Page<EgressRuleRecord> {
        try Pager.fetch(db, from: "egress_rules", where: [], [], page: page, map: Self.record)
    }

    /// Every rule in creation order, for the proxy, which matches each request against all of them.
    public func all() throws -> [EgressRuleRecord] {
        try db.query("SELECT * FROM egress_rules ORDER BY id").map(Self.record)
    }

    public func delete(_ id: String) throws -> Bool {
        try db.execute("DELETE FROM egress_rules WHERE id = ?", [.text(id)]) == 1
    }

    static func record(_ r: Row) throws -> EgressRuleRecord {
        EgressRuleRecord(id: try r.get("id"), host: try r.get("host"), methods: try r.get("methods"),
                         pathPrefix: try r.get("path_prefix"), action: try r.get("action"),
                         rateLimitPerMinute: try r.get("rate_limit_per_minute"), createdBy: try r.get("created_by"),
                         createdAt: try r.get("created_at"))
    }
}
