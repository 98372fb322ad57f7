import Logging
import Store

/// What a durable follower of events does with a batch of them: stores the work they call for
/// (webhook deliveries, channel replies) in the same write that moves its cursor past them.
public protocol EventBatchHandler: Sendable {
    /// The event types it acts on; the others are skipped in SQL.
    var eventTypes: [String] { get }
    func storedCursor(_ db: Connection) throws -> Int64
    /// Moves the stored cursor forward (never back).
    func saveCursor(_ seq: Int64, _ tx: Transaction) throws
    /// The events of a batch that may call for work, picked on a reader: a batch with none
    /// costs the single writer nothing (its cursor is saved only now and then).
    func relevant(_ events: [EventRecord], _ db: Connection) throws -> [EventRecord]
    /// Stores the work for `events` (the relevant ones); returns how many rows it made (0 wakes nobody).
    func store(_ events: [EventRecord], _ tx: Transaction) throws -> Int
}

/// Turns committed events into durable work. The event bus only wakes it: what it acts on is
/// read from the `events` table after its durable cursor, so an event published while it was
/// busy, dropped from a lagging subscription, or committed while warden was down is still
/// seen. One write stores the work of a batch and moves the cursor past it, so a crash repeats
/// or skips nothing (and the handler's rows are unique per event anyway).
public actor EventFollower<Handler: EventBatchHandler> {
    /// Events of the handler's types read per batch.
    static var batchSize: Int { 200 }
    /// How far the cursor may run ahead of its stored value, over events the handler does not
    /// act on, before it is written anyway; bounds what a restart has to scan again.
    static var unsavedLimit: Int64 { 1000 }

    private let core: WardenCore
    private let handler: Handler
    private let logger: Logger
    /// Called after work was stored, to wake whoever does it.
    private let created: @Sendable () -> Void
    private var cursor: Int64?
    private var storedCursor: Int64 = 0

    public init(core: WardenCore, handler: Handler, logger: Logger, created: @escaping @Sendable () -> Void) {
        self.core = core
        self.handler = handler
        self.logger = logger
        self.created = created
    }

    /// Catches up, then again whenever the bus publishes an event of the handler's types (or
    /// says it dropped some). Ends when the subscription is closed or the task cancelled.
    public func run(following subscription: EventSubscription) async {
        await catchUpUntilDone()
        let types = Set(handler.eventTypes)
        while let delivery = await subscription.next() {
            switch delivery {
            case .events(let events) where !events.contains(where: { types.contains($0.type) }):
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
                logger.error("could not turn events into work; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Reads events of the handler's types after the cursor, batch by batch, and stores their work.
    public func catchUp() async throws {
        let handler = self.handler
        if cursor == nil {
            let stored = try await core.read { try handler.storedCursor($0) }
            cursor = stored
            storedCursor = stored
        }
        while let from = cursor {
            let (head, read, last, relevant) = try await core.read { db in
                let repository = EventRepository(db)
                let head = try repository.lastSeq()
                let events = try repository.after(seq: from, through: head, types: handler.eventTypes, limit: Self.batchSize)
                return (head, events.count, events.last?.seq, try handler.relevant(events, db))
            }
            let full = read == Self.batchSize
            let through = full ? (last ?? head) : head
            if relevant.isEmpty {
                if through - storedCursor >= Self.unsavedLimit {
                    try await core.write { tx in try handler.saveCursor(through, tx) }
                    storedCursor = through
                }
                cursor = max(from, through)
                if full { continue }
                return
            }
            let count = try await core.write { tx in
                let count = try handler.store(relevant, tx)
                try handler.saveCursor(through, tx)
                return count
            }
            cursor = through
            storedCursor = through
            if count > 0 { created() }
            if !full { return }
        }
    }
}
