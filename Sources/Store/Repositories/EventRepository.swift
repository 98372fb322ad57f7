public struct EventRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// Appends an event; returns it with its global sequence number.
    public func append(id: String, sessionID: String, sessionSeq: Int64, type: String, data: String,
                       createdAt: String) throws -> EventRecord {
        try db.execute("""
            INSERT INTO events (id, session_id, session_seq, type, data, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(id), .text(sessionID), .integer(sessionSeq), .text(type), .text(data), .text(createdAt)])
        return EventRecord(seq: db.lastInsertRowID, id: id, sessionID: sessionID, sessionSeq: sessionSeq, type: type,
                           data: data, createdAt: createdAt)
    }

    /// A session's events after `sessionSeq`, in order.
    public func after(session: String, sessionSeq: Int64, limit: Int = 500) throws -> [EventRecord] {
        try db.query("SELECT * FROM events WHERE session_id = ? AND session_seq > ? ORDER BY session_seq LIMIT ?",
                     [.text(session), .integer(sessionSeq), .integer(Int64(limit))]).map(Self.record)
    }

    /// All sessions' events after the global `seq`, in order.
    public func after(seq: Int64, limit: Int = 500) throws -> [EventRecord] {
        try db.query("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", [.integer(seq), .integer(Int64(limit))])
            .map(Self.record)
    }

    /// The newest event's global `seq` (0 when there is none).
    public func lastSeq() throws -> Int64 {
        try db.queryOne("SELECT coalesce(max(seq), 0) AS seq FROM events")?.get("seq") ?? 0
    }

    /// Events of the given `types` with `seq` in (`seq`, `through`], in order. Filtering in SQL
    /// walks past the many events of other types (deltas, messages) without returning them.
    public func after(seq: Int64, through: Int64, types: [String], limit: Int = 500) throws -> [EventRecord] {
        guard !types.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: types.count).joined(separator: ", ")
        return try db.query("""
            SELECT * FROM events WHERE seq > ? AND seq <= ? AND type IN (\(placeholders)) ORDER BY seq LIMIT ?
            """, [.integer(seq), .integer(through)] + types.map(SQLValue.text) + [.integer(Int64(limit))])
            .map(Self.record)
    }

    static func record(_ r: Row) throws -> EventRecord {
        EventRecord(seq: try r.get("seq"), id: try r.get("id"), sessionID: try r.get("session_id"),
                    sessionSeq: try r.get("session_seq"), type: try r.get("type"), data: try r.get("data"),
                    createdAt: try r.get("created_at"))
    }
}
