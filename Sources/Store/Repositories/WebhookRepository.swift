/// A row of `webhooks`. `events` stays JSON text (an array of event types), interpreted by the
/// core; the secret is only its AES-256-GCM nonce and ciphertext, never the plaintext.
public struct WebhookRecord: Sendable, Equatable {
    public var id: String
    public var url: String
    public var events: String
    public var description: String?
    public var secretNonce: [UInt8]
    public var secretCiphertext: [UInt8]
    /// The last event committed before this webhook: it receives only events after it.
    public var afterEventSeq: Int64
    public var createdBy: String?
    public var createdAt: String

    public init(id: String, url: String, events: String, description: String?, secretNonce: [UInt8],
                secretCiphertext: [UInt8], afterEventSeq: Int64, createdBy: String?, createdAt: String) {
        self.id = id; self.url = url; self.events = events; self.description = description
        self.secretNonce = secretNonce; self.secretCiphertext = secretCiphertext; self.afterEventSeq = afterEventSeq
        self.createdBy = createdBy; self.createdAt = createdAt
    }
}

public struct WebhookRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ w: WebhookRecord) throws {
        try db.execute("""
            INSERT INTO webhooks (id, url, events, description, secret_nonce, secret_ciphertext, after_event_seq,
                                  created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(w.id), .text(w.url), .text(w.events), RunRepository.opt(w.description), .blob(w.secretNonce),
                  .blob(w.secretCiphertext), .integer(w.afterEventSeq), RunRepository.opt(w.createdBy),
                  .text(w.createdAt)])
    }

    public func find(_ id: String) throws -> WebhookRecord? {
        try db.queryOne("SELECT * FROM webhooks WHERE id = ?", [.text(id)]).map(Self.record)
    }

    public func list(page: PageRequest) throws -> Page<WebhookRecord> {
        try Pager.fetch(db, from: "webhooks", where: [], [], page: page, map: Self.record)
    }

    /// Every webhook, oldest first: the dispatcher matches events against all of them.
    public func all() throws -> [WebhookRecord] {
        try db.query("SELECT * FROM webhooks ORDER BY id").map(Self.record)
    }

    /// Deletes the webhook and its whole delivery log: pending deliveries are dropped with it.
    public func delete(_ id: String) throws -> Bool {
        try db.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", [.text(id)])
        return try db.execute("DELETE FROM webhooks WHERE id = ?", [.text(id)]) == 1
    }

    static func record(_ r: Row) throws -> WebhookRecord {
        WebhookRecord(id: try r.get("id"), url: try r.get("url"), events: try r.get("events"),
                      description: try r.get("description"), secretNonce: try r.get("secret_nonce"),
                      secretCiphertext: try r.get("secret_ciphertext"), afterEventSeq: try r.get("after_event_seq"),
                      createdBy: try r.get("created_by"), createdAt: try r.get("created_at"))
    }
}
