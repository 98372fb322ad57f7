import Core
import Logging
import Store

/// Turns committed events into deliveries. The event bus only wakes it: what it acts on is
/// read from the `events` table after its durable cursor, so an event published while it was
/// busy, dropped from a lagging subscription, or committed while warden was down is still
/// seen. One write stores the deliveries of a batch and moves the cursor past it, so a crash
/// repeats or skips nothing (and a delivery is unique per webhook and event anyway).
actor WebhookDispatcher {
    /// Events of the four types read per batch.
    static let batchSize = 200
    /// How far the cursor may run ahead of its stored value, over events no webhook cares
    /// about, before it is written anyway; bounds what a restart has to scan again.
    static let unsavedLimit: Int64 = 1000
    static let types = WebhookEventType.allCases.map(\.rawValue)

    private let core: WardenCore
    private let logger: Logger
    /// Called after deliveries were stored, to wake the worker.
    private let created: @Sendable () -> Void
    private var cursor: Int64?
    private var storedCursor: Int64 = 0

    init(core: WardenCore, logger: Logger, created: @escaping @Sendable () -> Void) {
        self.core = core
        self.logger = logger
        self.created = created
    }

    /// Catches up, then again whenever the bus publishes an event of a webhook type (or says
    /// it dropped some). Ends when the subscription is closed or the task cancelled.
    func run(following subscription: EventSubscription) async {
        await catchUpUntilDone()
        while let delivery = await subscription.next() {
            switch delivery {
            case .events(let events) where !events.contains(where: { WebhookEventType(rawValue: $0.type) != nil }):
                continue
            case .ping:
                continue
            case .events, .lagged:
                await catchUpUntilDone()
            }
        }
    }

    /// Retries a failed catch-up every second: the events stay in the store until it succeeds.
    private func catchUpUntilDone() async {
        while !Task.isCancelled {
            do {
                try await catchUp()
                return
            } catch {
                logger.error("could not turn events into webhook deliveries; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Reads events of the four types after the cursor, batch by batch, and stores their deliveries.
    func catchUp() async throws {
        if cursor == nil {
            let stored = try await core.read { try WebhookDeliveryRepository($0).dispatchedThrough() }
            cursor = stored
            storedCursor = stored
        }
        while let from = cursor {
            let (head, events) = try await core.read { db in
                let repository = EventRepository(db)
                let head = try repository.lastSeq()
                return (head, try repository.after(seq: from, through: head, types: Self.types, limit: Self.batchSize))
            }
            let through = events.count == Self.batchSize ? events[events.count - 1].seq : head
            if events.isEmpty {
                if through - storedCursor >= Self.unsavedLimit {
                    try await core.write { tx in try WebhookDeliveryRepository(tx.db).markDispatched(through: through) }
                    storedCursor = through
                }
                cursor = max(from, through)
                return
            }
            let count = try await core.write { tx in try Self.storeDeliveries(for: events, through: through, tx) }
            cursor = through
            storedCursor = through
            if count > 0 { created() }
            if events.count < Self.batchSize { return }
        }
    }

    /// One delivery per event and webhook that subscribes to its type and existed before it.
    /// The webhooks are read inside the write, so one deleted meanwhile gets nothing.
    private static func storeDeliveries(for events: [EventRecord], through: Int64, _ tx: Transaction) throws -> Int {
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
        try deliveries.markDispatched(through: through)
        return count
    }
}
