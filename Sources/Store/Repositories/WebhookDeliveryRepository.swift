/// A row of `webhook_deliveries`: one event for one webhook, and how its attempts went.
/// `status` is `pending` (waiting for `next_attempt_at`), `delivered` or `failed` (gave up).
public struct WebhookDeliveryRecord: Sendable, Equatable {
    public var id: String
    public var webhookID: String
    public var eventID: String
    public var eventType: String
    /// The exact body every attempt sends.
    public var payload: String
    public var status: String
    public var attempts: Int64
    public var lastStatusCode: Int64?
    public var lastError: String?
    public var lastAttemptAt: String?
    public var nextAttemptAt: String?
    public var createdAt: String
    public var deliveredAt: String?

    public init(id: String, webhookID: String, eventID: String, eventType: String, payload: String,
                status: String = "pending", attempts: Int64 = 0, lastStatusCode: Int64? = nil, lastError: String? = nil,
                lastAttemptAt: String? = nil, nextAttemptAt: String?, createdAt: String, deliveredAt: String? = nil) {
        self.id = id; self.webhookID = webhookID; self.eventID = eventID; self.eventType = eventType
        self.payload = payload; self.status = status; self.attempts = attempts; self.lastStatusCode = lastStatusCode
        self.lastError = lastError; self.lastAttemptAt = lastAttemptAt; self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt; self.deliveredAt = deliveredAt
    }
}

/// What one attempt changes on a pending delivery.
public struct WebhookAttemptRecord: Sendable, Equatable {
    public var at: String
    public var statusCode: Int64?
    public var error: String?
    /// `delivered`, `pending` (tried again at `nextAttemptAt`) or `failed`.
    public var status: String
    public var nextAttemptAt: String?

    public init(at: String, statusCode: Int64?, error: String?, status: String, nextAttemptAt: String?) {
        self.at = at; self.statusCode = statusCode; self.error = error; self.status = status
        self.nextAttemptAt = nextAttemptAt
    }
}

public struct WebhookDeliveryRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// Stores a new delivery; false if this webhook already has one for this event (a second
    /// pass over the same events changes nothing).
    @discardableResult
    public func insert(_ d: WebhookDeliveryRecord) throws -> Bool {
        try db.execute("""
            INSERT OR IGNORE INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, status, attempts,
                last_status_code, last_error, last_attempt_at, next_attempt_at, created_at, delivered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(d.id), .text(d.webhookID), .text(d.eventID), .text(d.eventType), .text(d.payload), .text(d.status),
                  .integer(d.attempts), d.lastStatusCode.map(SQLValue.integer) ?? .null, RunRepository.opt(d.lastError),
                  RunRepository.opt(d.lastAttemptAt), RunRepository.opt(d.nextAttemptAt), .text(d.createdAt),
                  RunRepository.opt(d.deliveredAt)]) == 1
    }

    public func find(_ id: String) throws -> WebhookDeliveryRecord? {
        try db.queryOne("SELECT * FROM webhook_deliveries WHERE id = ?", [.text(id)]).map(Self.record)
    }

    /// A webhook's delivery log, by id (creation order).
    public func list(webhook: String, page: PageRequest) throws -> Page<WebhookDeliveryRecord> {
        try Pager.fetch(db, from: "webhook_deliveries", where: ["webhook_id = ?"], [.text(webhook)], page: page,
                        map: Self.record)
    }

    /// A webhook's first `limit` pending deliveries by next attempt (due or not), then id.
    public func pending(webhook: String, limit: Int) throws -> [WebhookDeliveryRecord] {
        try db.query("""
            SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND status = 'pending'
            ORDER BY next_attempt_at, id LIMIT ?
            """, [.text(webhook), .integer(Int64(limit))]).map(Self.record)
    }

    /// Records an attempt on a delivery that is still pending; false when it is not (delivered,
    /// given up, or deleted with its webhook meanwhile), and then nothing changes.
    @discardableResult
    public func recordAttempt(_ id: String, _ attempt: WebhookAttemptRecord) throws -> Bool {
        try db.execute("""
            UPDATE webhook_deliveries
            SET attempts = attempts + 1, status = ?, last_status_code = ?, last_error = ?, last_attempt_at = ?,
                next_attempt_at = ?, delivered_at = ?
            WHERE id = ? AND status = 'pending'
            """, [.text(attempt.status), attempt.statusCode.map(SQLValue.integer) ?? .null, RunRepository.opt(attempt.error),
                  .text(attempt.at), RunRepository.opt(attempt.nextAttemptAt),
                  attempt.status == "delivered" ? .text(attempt.at) : .null, .text(id)]) == 1
    }

    // MARK: the dispatcher's cursor

    /// The last event seq the dispatcher has turned into deliveries.
    public func dispatchedThrough() throws -> Int64 {
        try db.queryOne("SELECT last_event_seq FROM webhook_dispatch WHERE id = 1")?.get("last_event_seq") ?? 0
    }

    /// Moves the cursor forward (never back, whatever order two writers commit in).
    public func markDispatched(through seq: Int64) throws {
        try db.execute("UPDATE webhook_dispatch SET last_event_seq = max(last_event_seq, ?) WHERE id = 1", [.integer(seq)])
    }

    static func record(_ r: Row) throws -> WebhookDeliveryRecord {
        WebhookDeliveryRecord(id: try r.get("id"), webhookID: try r.get("webhook_id"), eventID: try r.get("event_id"),
                              eventType: try r.get("event_type"), payload: try r.get("payload"),
                              status: try r.get("status"), attempts: try r.get("attempts"),
                              lastStatusCode: try r.get("last_status_code"), lastError: try r.get("last_error"),
                              lastAttemptAt: try r.get("last_attempt_at"), nextAttemptAt: try r.get("next_attempt_at"),
                              createdAt: try r.get("created_at"), deliveredAt: try r.get("delivered_at"))
    }
}
