import Foundation
import Store

/// The events an outbound webhook may subscribe to (SPEC §3).
public enum WebhookEventType: String, Sendable, CaseIterable {
    case runCompleted = "run.completed"
    case runFailed = "run.failed"
    case approvalRequested = "approval.requested"
    case approvalResolved = "approval.resolved"
}

/// What a caller asks for: a webhook without its id and secret. Fields are as received;
/// `createWebhook` validates them.
public struct WebhookSpec: Sendable, Equatable {
    public var url: String
    public var events: [String]
    public var description: String?

    public init(url: String, events: [String], description: String? = nil) {
        self.url = url; self.events = events; self.description = description
    }
}

/// An outbound webhook as the API shows it: never its secret.
public struct Webhook: Sendable, Equatable, JSONWritable {
    public var id: String
    public var url: String
    public var events: [WebhookEventType]
    public var description: String?
    public var createdBy: String?
    public var createdAt: String

    init(_ record: WebhookRecord) {
        id = record.id; url = record.url; description = record.description
        createdBy = record.createdBy; createdAt = record.createdAt
        events = Self.eventTypes(record.events)
    }

    /// The stored JSON array of types; a name this build does not know is skipped.
    static func eventTypes(_ json: String) -> [WebhookEventType] {
        ((try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []).compactMap(WebhookEventType.init)
    }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("created_at", createdAt); w.key("description", description)
        w.key("events", events.map(\.rawValue)); w.key("id", id); w.key("object", "webhook"); w.key("url", url)
        w.objectEnd()
    }
}

/// One entry of a webhook's delivery log: an event, and how sending it went so far.
public struct WebhookDeliveryLogEntry: Sendable, Equatable, JSONWritable {
    public var record: WebhookDeliveryRecord

    public init(_ record: WebhookDeliveryRecord) { self.record = record }

    public func write(to w: inout JSONWriter) {
        let r = record
        w.objectStart()
        w.key("attempts", r.attempts); w.key("created_at", r.createdAt); w.key("delivered_at", r.deliveredAt)
        w.key("event_id", r.eventID); w.key("event_type", r.eventType); w.key("id", r.id)
        w.key("last_attempt_at", r.lastAttemptAt); w.key("last_error", r.lastError)
        w.key("last_status_code"); if let code = r.lastStatusCode { w.int(code) } else { w.null() }
        w.key("next_attempt_at", r.nextAttemptAt); w.key("object", "webhook_delivery"); w.key("status", r.status)
        w.key("webhook_id", r.webhookID)
        w.objectEnd()
    }
}

extension WebhookRecord {
    /// What the vault authenticates with the sealed secret: this webhook's id, so a ciphertext
    /// copied onto another webhook (or a credential) does not open.
    public var sealName: String { Self.sealName(id) }

    /// The event types it subscribes to.
    public var eventTypes: [WebhookEventType] { Webhook.eventTypes(events) }

    static func sealName(_ id: String) -> String { "webhook \(id)" }
}

extension Transaction {
    /// Stores a webhook with a new signing secret, sealed by `sealer`; returns the secret to be
    /// shown once. A field that is not usable is `CoreError.invalid` naming it, and nothing is stored.
    public func createWebhook(_ spec: WebhookSpec, sealer: any SecretSealer,
                              actor: String?) throws -> (Webhook, secret: WebhookSigningSecret) {
        let url = try WebhookValidation.url(spec.url)
        let events = try WebhookValidation.events(spec.events)
        let description = try WebhookValidation.description(spec.description)
        let secret = WebhookSigningSecret.generate()
        let id = makeID(.webhook)
        let sealed = try sealer.seal(bytes: secret.bytes, id: id, name: WebhookRecord.sealName(id))
        let record = WebhookRecord(id: id, url: spec.url, events: JSONValue.array(events.map { .string($0.rawValue) }).encodedText,
                                   description: description, secretNonce: sealed.nonce, secretCiphertext: sealed.ciphertext,
                                   afterEventSeq: try EventRepository(db).lastSeq(), createdBy: actor, createdAt: now)
        try WebhookRepository(db).insert(record)
        try audit("webhook.created", actor: actor, subject: id, detail: Self.auditDetail(url: url, events: events))
        return (Webhook(record), secret)
    }

    /// Deletes the webhook with its delivery log; deliveries not yet made are dropped.
    public func deleteWebhook(_ id: String, actor: String?) throws {
        let webhooks = WebhookRepository(db)
        guard let record = try webhooks.find(id) else { throw CoreError.notFound(kind: "webhook", id: id) }
        _ = try webhooks.delete(id)
        let url = try? WebhookURL(parsing: record.url)
        try audit("webhook.deleted", actor: actor, subject: id,
                  detail: Self.auditDetail(url: url, events: Webhook.eventTypes(record.events)))
    }

    /// The URL's origin only: a path or query may carry the receiver's token.
    private static func auditDetail(url: WebhookURL?, events: [WebhookEventType]) -> [String: JSONValue] {
        ["origin": url.map { .string($0.origin) } ?? .null, "events": .array(events.map { .string($0.rawValue) })]
    }
}

extension WardenCore {
    public func listWebhooks(page: PageRequest) async throws -> Page<Webhook> {
        try await read { try WebhookRepository($0).list(page: page) }.map(Webhook.init)
    }

    public func webhook(_ id: String) async throws -> Webhook? {
        try await read { try WebhookRepository($0).find(id) }.map(Webhook.init)
    }

    /// A webhook's delivery log; `CoreError.notFound` when there is no such webhook.
    public func listWebhookDeliveries(webhook id: String, page: PageRequest) async throws -> Page<WebhookDeliveryLogEntry> {
        try await read { db in
            guard try WebhookRepository(db).find(id) != nil else { throw CoreError.notFound(kind: "webhook", id: id) }
            return try WebhookDeliveryRepository(db).list(webhook: id, page: page)
        }.map(WebhookDeliveryLogEntry.init)
    }
}
