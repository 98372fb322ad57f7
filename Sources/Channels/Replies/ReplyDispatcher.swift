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

    /// Events of sessions that belong to a channel and, of the messages, the assistant's: the
    /// only ones `OutboxEntries` can make a row for. Everything else never reaches the writer.
    func relevant(_ events: [EventRecord], _ db: Connection) throws -> [EventRecord] {
        let sessions = SessionRepository(db)
        var inChannel: [String: Bool] = [:]
        return try events.filter { event in
            let channelled = try inChannel[event.sessionID] ?? {
                let found = try sessions.find(event.sessionID)?.channel != nil
                inChannel[event.sessionID] = found
                return found
            }()
            guard channelled else { return false }
            guard event.type == "message.created" else { return true }
            if case .object(let message) = JSONValue.decode(event.data), case .string("assistant") = message["role"] {
                return true
            }
            return false
        }
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
