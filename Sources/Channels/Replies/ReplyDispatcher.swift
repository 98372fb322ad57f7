import Core
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
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
            return channelled && mayCallForWork(event)
        }
    }

    /// Of the messages only the assistant's get a reply row, whatever the session.
    func mayCallForWork(_ event: EventRecord) -> Bool {
        guard event.type == "message.created" else { return true }
        // A byte search, not a JSON decode (nor Foundation's generic search): this runs for
        // every message posted. A match inside the content (a tool's input) only costs a read.
        var data = event.data
        return data.withUTF8 { Self.contains($0, Self.assistantRole) }
    }

    private static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let base = text.baseAddress, let first = needle.first, text.count >= needle.count else { return false }
        return needle.withUnsafeBytes { wanted in
            var at = 0
            while at <= text.count - needle.count {
                if text[at] == first && memcmp(base + at, wanted.baseAddress!, needle.count) == 0 { return true }
                at += 1
            }
            return false
        }
    }

    /// The role field exactly as `Message.writeFields` writes it (a test holds it to that).
    static let assistantRole = Array(#""role":"assistant""#.utf8)

    func store(_ events: [EventRecord], _ tx: Transaction) throws -> Int {
        let outbox = ChannelOutboxRepository(tx.db)
        var count = 0
        for event in events {
            if let row = try OutboxEntries.row(for: event, tx), try outbox.insert(row) { count += 1 }
        }
        return count
    }
}
