public struct RunRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ r: RunRecord) throws {
        try db.execute("""
            INSERT INTO runs (id, session_id, status, stop_reason, error, usage, created_at, started_at, completed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(r.id), .text(r.sessionID), .text(r.status), Self.opt(r.stopReason), Self.opt(r.error),
                  Self.opt(r.usage), .text(r.createdAt), Self.opt(r.startedAt), Self.opt(r.completedAt)])
    }

    public func update(_ r: RunRecord) throws {
        try db.execute("""
            UPDATE runs SET status = ?, stop_reason = ?, error = ?, usage = ?, started_at = ?, completed_at = ?
            WHERE id = ?
            """, [.text(r.status), Self.opt(r.stopReason), Self.opt(r.error), Self.opt(r.usage), Self.opt(r.startedAt),
                  Self.opt(r.completedAt), .text(r.id)])
    }

    public func find(_ id: String) throws -> RunRecord? {
        try db.queryOne("SELECT * FROM runs WHERE id = ?", [.text(id)]).map(Self.record)
    }

    public func list(session: String, page: PageRequest) throws -> Page<RunRecord> {
        try Pager.fetch(db, from: "runs", where: ["session_id = ?"], [.text(session)], page: page, map: Self.record)
    }

    /// A session's runs that have not reached a final status, oldest first.
    public func unfinished(session: String) throws -> [RunRecord] {
        try db.query("""
            SELECT * FROM runs WHERE session_id = ? AND status IN ('queued', 'in_progress', 'requires_action') ORDER BY id
            """, [.text(session)]).map(Self.record)
    }

    /// A session's oldest queued runs, at most `limit` of them (index `runs_by_status`).
    public func queuedIDs(session: String, limit: Int) throws -> [String] {
        try db.query("SELECT id FROM runs WHERE status = 'queued' AND session_id = ? ORDER BY id LIMIT ?",
                     [.text(session), .integer(Int64(limit))]).map { try $0.get("id") }
    }

    /// Sessions with at least one queued run (recovery after a restart).
    public func sessionsWithQueuedRuns() throws -> [String] {
        try db.query("SELECT DISTINCT session_id FROM runs WHERE status = 'queued'").map { try $0.get("session_id") }
    }

    /// Every run in `status`, oldest first (recovery after a restart).
    public func all(status: String) throws -> [RunRecord] {
        try db.query("SELECT * FROM runs WHERE status = ? ORDER BY id", [.text(status)]).map(Self.record)
    }

    static func opt(_ s: String?) -> SQLValue { s.map(SQLValue.text) ?? .null }

    static func record(_ r: Row) throws -> RunRecord {
        RunRecord(id: try r.get("id"), sessionID: try r.get("session_id"), status: try r.get("status"),
                  stopReason: try r.get("stop_reason"), error: try r.get("error"), usage: try r.get("usage"),
                  createdAt: try r.get("created_at"), startedAt: try r.get("started_at"),
                  completedAt: try r.get("completed_at"))
    }
}
