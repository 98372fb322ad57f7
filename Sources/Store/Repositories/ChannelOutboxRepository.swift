import Foundation

/// A row of `channel_outbox`: one thing Warden sends to a chat platform (`kind` is `reply`,
/// `card` or `card_update`), and how its attempts went. `status` is `pending` (waiting for
/// `next_attempt_at`), `delivered` or `failed` (gave up). It is the delivery record: the
/// payload says what was sent, never with a secret (the bot token is a credential, by id).
public struct ChannelOutboxRecord: Sendable, Equatable {
    public var id: String
    public var channelID: String
    public var sessionID: String
    public var kind: String
    /// The message id of a reply, the approval id of a card and of its update.
    public var sourceID: String
    public var payload: String
    /// How many messages of a split reply are out; the next attempt starts there.
    public var partsSent: Int64
    public var attempts: Int64
    public var status: String
    public var nextAttemptAt: String?
    public var lastAttemptAt: String?
    public var lastError: String?
    /// JSON array of the platform's ids of the messages posted, in order.
    public var platformMessageIDs: String
    public var createdAt: String
    public var deliveredAt: String?

    public init(id: String, channelID: String, sessionID: String, kind: String, sourceID: String, payload: String,
                partsSent: Int64 = 0, attempts: Int64 = 0, status: String = "pending", nextAttemptAt: String?,
                lastAttemptAt: String? = nil, lastError: String? = nil, platformMessageIDs: String = "[]",
                createdAt: String, deliveredAt: String? = nil) {
        self.id = id; self.channelID = channelID; self.sessionID = sessionID; self.kind = kind
        self.sourceID = sourceID; self.payload = payload; self.partsSent = partsSent; self.attempts = attempts
        self.status = status; self.nextAttemptAt = nextAttemptAt; self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError; self.platformMessageIDs = platformMessageIDs; self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// What one attempt changes on a pending outbox row.
public struct ChannelOutboxAttempt: Sendable, Equatable {
    public var at: String
    /// `delivered`, `pending` (tried again at `nextAttemptAt`) or `failed`.
    public var status: String
    public var partsSent: Int64
    public var error: String?
    public var nextAttemptAt: String?
    /// Ids the platform gave the messages of this attempt, appended to the row's.
    public var newMessageIDs: [String]

    public init(at: String, status: String, partsSent: Int64, error: String?, nextAttemptAt: String?, newMessageIDs: [String]) {
        self.at = at; self.status = status; self.partsSent = partsSent; self.error = error
        self.nextAttemptAt = nextAttemptAt; self.newMessageIDs = newMessageIDs
    }
}

public struct ChannelOutboxRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// Stores a new row; false if one of this kind exists for the source already.
    @discardableResult
    public func insert(_ r: ChannelOutboxRecord) throws -> Bool {
        try db.execute("""
            INSERT OR IGNORE INTO channel_outbox (id, channel_id, session_id, kind, source_id, payload, parts_sent, attempts,
                status, next_attempt_at, last_attempt_at, last_error, platform_message_ids, created_at, delivered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(r.id), .text(r.channelID), .text(r.sessionID), .text(r.kind), .text(r.sourceID), .text(r.payload),
                  .integer(r.partsSent), .integer(r.attempts), .text(r.status), RunRepository.opt(r.nextAttemptAt),
                  RunRepository.opt(r.lastAttemptAt), RunRepository.opt(r.lastError), .text(r.platformMessageIDs),
                  .text(r.createdAt), RunRepository.opt(r.deliveredAt)]) == 1
    }

    public func find(_ id: String) throws -> ChannelOutboxRecord? {
        try db.queryOne("SELECT * FROM channel_outbox WHERE id = ?", [.text(id)]).map(Self.record)
    }

    public func find(kind: String, source: String) throws -> ChannelOutboxRecord? {
        try db.queryOne("SELECT * FROM channel_outbox WHERE kind = ? AND source_id = ?", [.text(kind), .text(source)])
            .map(Self.record)
    }

    /// A channel's delivery record, by id (creation order).
    public func list(channel: String, page: PageRequest) throws -> Page<ChannelOutboxRecord> {
        try Pager.fetch(db, from: "channel_outbox", where: ["channel_id = ?"], [.text(channel)], page: page, map: Self.record)
    }

    /// Each session's oldest pending row (due or not), by next attempt: a session's rows go out
    /// one after the other in the order they were made, so a thread gets its replies in order
    /// and a card's update never overtakes the card.
    public func nextPerSession(limit: Int) throws -> [ChannelOutboxRecord] {
        try db.query("""
            SELECT * FROM channel_outbox AS o WHERE status = 'pending'
                AND id = (SELECT min(id) FROM channel_outbox WHERE session_id = o.session_id AND status = 'pending')
            ORDER BY next_attempt_at, id LIMIT ?
            """, [.integer(Int64(limit))]).map(Self.record)
    }

    /// Records an attempt on a row that is still pending; false when it is not.
    @discardableResult
    public func recordAttempt(_ id: String, _ attempt: ChannelOutboxAttempt) throws -> Bool {
        guard let row = try find(id), row.status == "pending" else { return false }
        let ids = Self.decodeIDs(row.platformMessageIDs) + attempt.newMessageIDs
        return try db.execute("""
            UPDATE channel_outbox
            SET attempts = attempts + 1, status = ?, parts_sent = ?, last_error = ?, last_attempt_at = ?,
                next_attempt_at = ?, platform_message_ids = ?, delivered_at = ?
            WHERE id = ? AND status = 'pending'
            """, [.text(attempt.status), .integer(attempt.partsSent), RunRepository.opt(attempt.error), .text(attempt.at),
                  RunRepository.opt(attempt.nextAttemptAt), .text(Self.encodeIDs(ids)),
                  attempt.status == "delivered" ? .text(attempt.at) : .null, .text(id)]) == 1
    }

    // MARK: the dispatcher's cursor

    public func dispatchedThrough() throws -> Int64 {
        try db.queryOne("SELECT last_event_seq FROM channel_dispatch WHERE id = 1")?.get("last_event_seq") ?? 0
    }

    /// Moves the cursor forward (never back).
    public func markDispatched(through seq: Int64) throws {
        try db.execute("UPDATE channel_dispatch SET last_event_seq = max(last_event_seq, ?) WHERE id = 1", [.integer(seq)])
    }

    public static func decodeIDs(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    static func encodeIDs(_ ids: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(ids)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func record(_ r: Row) throws -> ChannelOutboxRecord {
        ChannelOutboxRecord(id: try r.get("id"), channelID: try r.get("channel_id"), sessionID: try r.get("session_id"),
                            kind: try r.get("kind"), sourceID: try r.get("source_id"), payload: try r.get("payload"),
                            partsSent: try r.get("parts_sent"), attempts: try r.get("attempts"), status: try r.get("status"),
                            nextAttemptAt: try r.get("next_attempt_at"), lastAttemptAt: try r.get("last_attempt_at"),
                            lastError: try r.get("last_error"), platformMessageIDs: try r.get("platform_message_ids"),
                            createdAt: try r.get("created_at"), deliveredAt: try r.get("delivered_at"))
    }
}
