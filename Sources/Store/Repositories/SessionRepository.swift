public struct SessionRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ s: SessionRecord) throws {
        try db.execute("""
            INSERT INTO sessions (id, status, title, metadata, agent, channel, owner_key_id, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(s.id), .text(s.status), .text(s.title), .text(s.metadata), .text(s.agent),
                  s.channel.map(SQLValue.text) ?? .null, .text(s.ownerKeyID), .text(s.createdAt), .text(s.updatedAt)])
    }

    public func find(_ id: String) throws -> SessionRecord? {
        try db.queryOne("SELECT * FROM sessions WHERE id = ?", [.text(id)]).map(Self.record)
    }

    /// `owner` restricts to sessions created with that key (the `client` role's view).
    public func list(owner: String?, status: String?, page: PageRequest) throws -> Page<SessionRecord> {
        var conditions: [String] = []
        var bindings: [SQLValue] = []
        if let owner { conditions.append("owner_key_id = ?"); bindings.append(.text(owner)) }
        if let status { conditions.append("status = ?"); bindings.append(.text(status)) }
        return try Pager.fetch(db, from: "sessions", where: conditions, bindings, page: page, map: Self.record)
    }

    public func update(_ s: SessionRecord) throws {
        try db.execute("UPDATE sessions SET status = ?, title = ?, metadata = ?, agent = ?, updated_at = ? WHERE id = ?",
                       [.text(s.status), .text(s.title), .text(s.metadata), .text(s.agent), .text(s.updatedAt), .text(s.id)])
    }

    /// For a write that adds `count` events to a live (not archived) session: reserves their
    /// sequence numbers and touches `updated_at`, in one UPDATE. Returns the last reserved
    /// number and the session's owner, or nil if there is no such live session.
    ///
    /// The UPDATE, then a SELECT of the row it changed, rather than `UPDATE … RETURNING`: SQLite
    /// builds and drops a temporary table for RETURNING on every run, which made this the
    /// costliest statement of a message write. Nothing else writes in between: this runs in a
    /// write, on the one writer connection.
    public func reserveEvents(_ id: String, count: Int, at time: String) throws -> (lastSeq: Int64, owner: String)? {
        let changed = try db.execute("""
            UPDATE sessions SET last_event_seq = last_event_seq + ?, updated_at = ?
            WHERE id = ? AND status != 'archived'
            """, [.integer(Int64(count)), .text(time), .text(id)])
        guard changed == 1,
              let row = try db.queryOne("SELECT last_event_seq, owner_key_id FROM sessions WHERE id = ?", [.text(id)])
        else { return nil }
        return (try row.get("last_event_seq"), try row.get("owner_key_id"))
    }

    /// Reserves the next per-session event sequence number.
    public func nextEventSeq(_ id: String) throws -> Int64 {
        let changed = try db.execute("UPDATE sessions SET last_event_seq = last_event_seq + 1 WHERE id = ?", [.text(id)])
        guard changed == 1, let row = try db.queryOne("SELECT last_event_seq FROM sessions WHERE id = ?", [.text(id)])
        else { throw StoreError.misuse("no session \(id)") }
        return try row.get("last_event_seq")
    }

    static func record(_ r: Row) throws -> SessionRecord {
        SessionRecord(id: try r.get("id"), status: try r.get("status"), title: try r.get("title"),
                      metadata: try r.get("metadata"), agent: try r.get("agent"), channel: try r.get("channel"),
                      ownerKeyID: try r.get("owner_key_id"), createdAt: try r.get("created_at"),
                      updatedAt: try r.get("updated_at"))
    }
}
