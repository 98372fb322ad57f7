/// A row of `channels`. `settings` and `approvers` stay JSON text: the Store does not interpret
/// them; the Core and the Channels module do.
public struct ChannelRecord: Sendable, Equatable {
    public var id: String
    public var platform: String
    public var name: String
    public var settings: String
    public var verificationCredentialID: String?
    public var botCredentialID: String?
    public var sessionsPolicy: String
    public var approvers: String
    public var createdBy: String?
    public var createdAt: String

    public init(id: String, platform: String, name: String, settings: String, verificationCredentialID: String?,
                botCredentialID: String?, sessionsPolicy: String, approvers: String, createdBy: String?, createdAt: String) {
        self.id = id; self.platform = platform; self.name = name; self.settings = settings
        self.verificationCredentialID = verificationCredentialID; self.botCredentialID = botCredentialID
        self.sessionsPolicy = sessionsPolicy; self.approvers = approvers; self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

public struct ChannelRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ c: ChannelRecord) throws {
        try db.execute("""
            INSERT INTO channels (id, platform, name, settings, verification_credential_id, bot_credential_id,
                                  sessions_policy, approvers, created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(c.id), .text(c.platform), .text(c.name), .text(c.settings), RunRepository.opt(c.verificationCredentialID),
                  RunRepository.opt(c.botCredentialID), .text(c.sessionsPolicy), .text(c.approvers),
                  RunRepository.opt(c.createdBy), .text(c.createdAt)])
    }

    public func find(_ id: String) throws -> ChannelRecord? {
        try db.queryOne("SELECT * FROM channels WHERE id = ?", [.text(id)]).map(Self.record)
    }

    public func list(page: PageRequest) throws -> Page<ChannelRecord> {
        try Pager.fetch(db, from: "channels", where: [], [], page: page, map: Self.record)
    }

    /// The channels that name `credential`: as verification or bot credential, or in their
    /// settings (WhatsApp's verify token).
    public func referencing(credential: String) throws -> [String] {
        try db.query("""
            SELECT id FROM channels WHERE verification_credential_id = ?1 OR bot_credential_id = ?1
                OR json_extract(settings, '$.verify_token_credential_id') = ?1 ORDER BY id
            """, [.text(credential)]).map { try $0.get("id") }
    }

    /// Deletes the channel and its dedupe and thread rows; the sessions it created stay.
    public func delete(_ id: String) throws -> Bool {
        for table in ["channel_deliveries", "channel_messages", "channel_threads", "channel_outbox"] {
            try db.execute("DELETE FROM \(table) WHERE channel_id = ?", [.text(id)])
        }
        return try db.execute("DELETE FROM channels WHERE id = ?", [.text(id)]) == 1
    }

    static func record(_ r: Row) throws -> ChannelRecord {
        ChannelRecord(id: try r.get("id"), platform: try r.get("platform"), name: try r.get("name"),
                      settings: try r.get("settings"), verificationCredentialID: try r.get("verification_credential_id"),
                      botCredentialID: try r.get("bot_credential_id"), sessionsPolicy: try r.get("sessions_policy"),
                      approvers: try r.get("approvers"), createdBy: try r.get("created_by"),
                      createdAt: try r.get("created_at"))
    }
}

/// The dedupe and thread-mapping rows of inbound channel traffic. Each `record…` inserts a row
/// only if its key is new and says whether it did, so a retried delivery is recognised inside
/// the same write transaction that would otherwise store it again.
public struct ChannelInboundRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// False when the platform delivered this id before (within the 24 h the rows are kept).
    public func recordDelivery(channel: String, deliveryID: String, at time: String) throws -> Bool {
        try db.execute("""
            INSERT INTO channel_deliveries (channel_id, delivery_id, received_at) VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            """, [.text(channel), .text(deliveryID), .text(time)]) == 1
    }

    /// False when a message with this platform id was stored already (under another delivery).
    public func recordMessage(channel: String, messageID: String, wardenMessageID: String) throws -> Bool {
        try db.execute("""
            INSERT INTO channel_messages (channel_id, message_id, warden_message_id) VALUES (?, ?, ?)
            ON CONFLICT DO NOTHING
            """, [.text(channel), .text(messageID), .text(wardenMessageID)]) == 1
    }

    public func session(channel: String, key: String) throws -> String? {
        try db.queryOne("SELECT session_id FROM channel_threads WHERE channel_id = ? AND session_key = ?",
                        [.text(channel), .text(key)])?.get("session_id")
    }

    /// Maps `key` to `session`, replacing an earlier mapping (to a session since archived).
    public func mapSession(channel: String, key: String, session: String) throws {
        try db.execute("""
            INSERT INTO channel_threads (channel_id, session_key, session_id) VALUES (?, ?, ?)
            ON CONFLICT (channel_id, session_key) DO UPDATE SET session_id = excluded.session_id
            """, [.text(channel), .text(key), .text(session)])
    }

    /// Remembers where the latest message of `key` came from, so replies go back there.
    public func setReplyTarget(channel: String, key: String, target: String) throws {
        try db.execute("UPDATE channel_threads SET reply_target = ? WHERE channel_id = ? AND session_key = ?",
                       [.text(target), .text(channel), .text(key)])
    }

    /// Where replies in `session` go: the reply target of the key mapped to it.
    public func replyTarget(channel: String, session: String) throws -> String? {
        try db.queryOne("""
            SELECT reply_target FROM channel_threads WHERE channel_id = ? AND session_id = ? AND reply_target IS NOT NULL
            LIMIT 1
            """, [.text(channel), .text(session)])?.get("reply_target")
    }

    /// Forgets delivery ids received before `cutoff` (RFC 3339): platforms retry for minutes to
    /// hours, never a day later.
    @discardableResult
    public func deleteDeliveries(before cutoff: String) throws -> Int {
        try db.execute("DELETE FROM channel_deliveries WHERE received_at < ?", [.text(cutoff)])
    }
}
