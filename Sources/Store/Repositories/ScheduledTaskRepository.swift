public struct ScheduledTaskRecord: Sendable, Equatable {
    public var id: String
    public var sessionID: String
    public var cron: String
    public var timezone: String
    public var prompt: String
    /// Nil once the expression can never fire again.
    public var nextFireAt: String?
    public var lastFiredAt: String?
    public var createdBy: String?
    public var createdAt: String

    public init(id: String, sessionID: String, cron: String, timezone: String, prompt: String, nextFireAt: String?,
                lastFiredAt: String? = nil, createdBy: String?, createdAt: String) {
        self.id = id; self.sessionID = sessionID; self.cron = cron; self.timezone = timezone; self.prompt = prompt
        self.nextFireAt = nextFireAt; self.lastFiredAt = lastFiredAt; self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

public struct ScheduledTaskRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ t: ScheduledTaskRecord) throws {
        try db.execute("""
            INSERT INTO scheduled_tasks (id, session_id, cron, timezone, prompt, next_fire_at, last_fired_at,
                                         created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(t.id), .text(t.sessionID), .text(t.cron), .text(t.timezone), .text(t.prompt),
                  RunRepository.opt(t.nextFireAt), RunRepository.opt(t.lastFiredAt), RunRepository.opt(t.createdBy),
                  .text(t.createdAt)])
    }

    public func find(_ id: String) throws -> ScheduledTaskRecord? {
        try db.queryOne("SELECT * FROM scheduled_tasks WHERE id = ?", [.text(id)]).map(Self.record)
    }

    public func list(session: String, page: PageRequest) throws -> Page<ScheduledTaskRecord> {
        try Pager.fetch(db, from: "scheduled_tasks", where: ["session_id = ?"], [.text(session)], page: page,
                        map: Self.record)
    }

    /// Tasks due at or before `time`, earliest first.
    public func due(at time: String) throws -> [ScheduledTaskRecord] {
        try db.query("""
            SELECT * FROM scheduled_tasks WHERE next_fire_at IS NOT NULL AND next_fire_at <= ? ORDER BY next_fire_at
            """, [.text(time)]).map(Self.record)
    }

    /// The earliest time any task is due, if one ever is.
    public func nextDue() throws -> String? {
        try db.queryOne("SELECT min(next_fire_at) AS t FROM scheduled_tasks").flatMap { try $0.get("t", as: String?.self) }
    }

    /// Advances a task past a due time; only if it is still at `expected`, so a due time is
    /// consumed once even if two firings race.
    public func advance(_ id: String, from expected: String, to next: String?, firedAt: String) throws -> Bool {
        try db.execute("""
            UPDATE scheduled_tasks SET next_fire_at = ?, last_fired_at = ? WHERE id = ? AND next_fire_at = ?
            """, [RunRepository.opt(next), .text(firedAt), .text(id), .text(expected)]) == 1
    }

    public func delete(_ id: String) throws -> Bool {
        try db.execute("DELETE FROM scheduled_tasks WHERE id = ?", [.text(id)]) == 1
    }

    public func deleteAll(session: String) throws {
        try db.execute("DELETE FROM scheduled_tasks WHERE session_id = ?", [.text(session)])
    }

    static func record(_ r: Row) throws -> ScheduledTaskRecord {
        ScheduledTaskRecord(id: try r.get("id"), sessionID: try r.get("session_id"), cron: try r.get("cron"),
                            timezone: try r.get("timezone"), prompt: try r.get("prompt"),
                            nextFireAt: try r.get("next_fire_at"), lastFiredAt: try r.get("last_fired_at"),
                            createdBy: try r.get("created_by"), createdAt: try r.get("created_at"))
    }
}
