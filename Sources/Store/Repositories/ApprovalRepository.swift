public struct ApprovalRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ a: ApprovalRecord) throws {
        try db.execute("""
            INSERT INTO approvals (id, session_id, run_id, status, kind, summary, request, decision, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(a.id), .text(a.sessionID), RunRepository.opt(a.runID), .text(a.status), .text(a.kind),
                  .text(a.summary), .text(a.request), RunRepository.opt(a.decision), .text(a.createdAt),
                  .text(a.expiresAt)])
    }

    public func find(_ id: String) throws -> ApprovalRecord? {
        try db.queryOne("SELECT * FROM approvals WHERE id = ?", [.text(id)]).map(Self.record)
    }

    /// Moves a pending approval to a final status; false if it was no longer pending.
    public func resolve(_ id: String, status: String, decision: String?) throws -> Bool {
        try db.execute("UPDATE approvals SET status = ?, decision = ? WHERE id = ? AND status = 'pending'",
                       [.text(status), RunRepository.opt(decision), .text(id)]) == 1
    }

    public func list(status: String?, session: String?, page: PageRequest) throws -> Page<ApprovalRecord> {
        var conditions: [String] = []
        var bindings: [SQLValue] = []
        if let status { conditions.append("status = ?"); bindings.append(.text(status)) }
        if let session { conditions.append("session_id = ?"); bindings.append(.text(session)) }
        return try Pager.fetch(db, from: "approvals", where: conditions, bindings, page: page, map: Self.record)
    }

    /// Pending approvals whose expiry is at or before `time`.
    public func pendingExpired(at time: String) throws -> [ApprovalRecord] {
        try db.query("SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ORDER BY id", [.text(time)])
            .map(Self.record)
    }

    public func allPending() throws -> [ApprovalRecord] {
        try db.query("SELECT * FROM approvals WHERE status = 'pending' ORDER BY id").map(Self.record)
    }

    static func record(_ r: Row) throws -> ApprovalRecord {
        ApprovalRecord(id: try r.get("id"), sessionID: try r.get("session_id"), runID: try r.get("run_id"),
                       status: try r.get("status"), kind: try r.get("kind"), summary: try r.get("summary"),
                       request: try r.get("request"), decision: try r.get("decision"), createdAt: try r.get("created_at"),
                       expiresAt: try r.get("expires_at"))
    }
}
