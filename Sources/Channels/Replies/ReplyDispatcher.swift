import Core
import Store

/// The channel replies' `EventFollower` handler: an outbox row per assistant message, approval
/// request and resolution in a channel session (`OutboxEntries`), its cursor
/// `channel_dispatch.last_event_seq`.
struct ReplyDispatcher: EventBatchHandler {
    var eventTypes: [String] { OutboxEntries.eventTypes }

    func storedCursor(_ db: Connection) throws -> Int64 {
        try ChannelOutboxRepository(db).dispatchedThrough()
    }

    func saveCursor(_ seq: Int64, _ tx: Transaction) throws {
        try ChannelOutboxRepository(tx.db).markDispatched(through: seq)
    }

    func store(_ events: [EventRecord], _ tx: Transaction) throws -> Int {
        let outbox = ChannelOutboxRepository(tx.db)
        var count = 0
        for event in events {
            if let row = try OutboxEntries.row(for: event, tx), try outbox.insert(row) { count += 1 }
        }
        return count
    }
}
