public struct MessageRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ m: MessageRecord) throws {
        try db.execute("""
            INSERT INTO messages (id, session_id, run_id, role, content, source, author, external_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(m.id), .text(m.sessionID), m.runID.map(SQLValue.text) ?? .null, .text(m.role), .text(m.content),
                  .text(m.source), m.author.map(SQLValue.text) ?? .null, m.externalID.map(SQLValue.text) ?? .null,
                  .text(m.createdAt)])
    }

    public func list(session: String, page: PageRequest) throws -> Page<MessageRecord> {
        try Pager.fetch(db, from: "messages", where: ["session_id = ?"], [.text(session)], page: page, map: Self.record)
    }

    /// The user and assistant messages of a session up to those of `run`, oldest first: what
    /// the agent working on `run` is shown. Messages queued for later runs are left out (run
    /// ids are time-ordered).
    public func conversation(session: String, upTo run: String) throws -> [MessageRecord] {
        try db.query("""
            SELECT * FROM messages WHERE session_id = ? AND role IN ('user', 'assistant')
                AND (run_id IS NULL OR run_id <= ?) ORDER BY id
            """, [.text(session), .text(run)]).map(Self.record)
    }

    static func record(_ r: Row) throws -> MessageRecord {
        MessageRecord(id: try r.get("id"), sessionID: try r.get("session_id"), runID: try r.get("run_id"),
                      role: try r.get("role"), content: try r.get("content"), source: try r.get("source"),
                      author: try r.get("author"), externalID: try r.get("external_id"), createdAt: try r.get("created_at"))
    }
}
