import Core
import Store

/// The webhooks' `EventFollower` handler: one delivery per event of the four types and
/// subscribed webhook, its cursor `webhook_dispatch.last_event_seq`.
struct WebhookDispatcher: EventBatchHandler {
    let eventTypes = WebhookEventType.allCases.map(\.rawValue)

    func storedCursor(_ db: Connection) throws -> Int64 {
        try WebhookDeliveryRepository(db).dispatchedThrough()
    }

    func saveCursor(_ seq: Int64, _ tx: Transaction) throws {
        try WebhookDeliveryRepository(tx.db).markDispatched(through: seq)
    }

    /// Events some webhook subscribes to (and existed before); none at all without webhooks.
    func relevant(_ events: [EventRecord], _ db: Connection) throws -> [EventRecord] {
        let webhooks = try WebhookRepository(db).all()
        guard !webhooks.isEmpty else { return [] }
        let subscriptions = webhooks.map { (types: Set($0.eventTypes), after: $0.afterEventSeq) }
        return events.filter { event in
            guard let type = WebhookEventType(rawValue: event.type) else { return false }
            return subscriptions.contains { $0.types.contains(type) && event.seq > $0.after }
        }
    }

    /// One delivery per event and webhook that subscribes to its type and existed before it.
    /// The webhooks are read inside the write, so one deleted meanwhile gets nothing.
    func store(_ events: [EventRecord], _ tx: Transaction) throws -> Int {
        let webhooks = try WebhookRepository(tx.db).all().map { (record: $0, types: Set($0.eventTypes)) }
        let deliveries = WebhookDeliveryRepository(tx.db)
        var count = 0
        for event in events {
            guard let type = WebhookEventType(rawValue: event.type) else { continue }
            let subscribed = webhooks.filter { $0.types.contains(type) && event.seq > $0.record.afterEventSeq }
            guard !subscribed.isEmpty else { continue }
            let payload = DeliveryPayload.json(for: event)
            for webhook in subscribed {
                let delivery = WebhookDeliveryRecord(id: tx.makeID(.webhookDelivery), webhookID: webhook.record.id,
                                                     eventID: event.id, eventType: event.type, payload: payload,
                                                     nextAttemptAt: tx.now, createdAt: tx.now)
                if try deliveries.insert(delivery) { count += 1 }
            }
        }
        return count
    }
}
