import Store

/// One write transaction as the core sees it: the connection, the time, and the events and
/// audit records it produces. Events are stored in the same transaction as the change they
/// describe and published only after the commit.
public final class Transaction {
    public let db: Connection
    public let now: String
    let ids: IDGenerator
    unowned let core: WardenCore
    private(set) var events: [EventRecord] = []
    private(set) var afterCommit: [@Sendable () -> Void] = []

    init(db: Connection, core: WardenCore) {
        self.db = db
        self.core = core
        self.ids = core.ids
        self.now = Timestamp.now()
    }

    /// Work that must happen only once the transaction is durable (caches, waiters).
    public func onCommit(_ work: @escaping @Sendable () -> Void) { afterCommit.append(work) }

    public func makeID(_ kind: IDKind) -> String { ids.make(kind) }

    /// Records an event for `session`; `data` is the JSON of the resource it is about.
    public func emit(_ type: String, session: String, data: String) throws {
        try append(type, session: session, seq: try SessionRepository(db).nextEventSeq(session), data: data)
    }

    /// Records an event whose sequence number the caller already reserved.
    func append(_ type: String, session: String, seq: Int64, data: String) throws {
        let event = try EventRepository(db).append(id: ids.make(.event), sessionID: session, sessionSeq: seq,
                                                   type: type, data: data, createdAt: now)
        events.append(event)
    }

    public func audit(_ kind: String, actor: String?, session: String? = nil, subject: String? = nil,
                      detail: [String: JSONValue] = [:]) throws {
        try AuditRepository(db).insert(AuditRecord(id: ids.make(.audit), createdAt: now, actor: actor, kind: kind,
                                                   sessionID: session, subjectID: subject,
                                                   detail: JSONValue.object(detail).encodedText))
    }
}
