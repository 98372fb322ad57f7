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
    /// False when the event alone shows `relevant` would drop it (a user's message never needs
    /// a reply): the follower then moves past it without reading the store. Defaults to true.
    func mayCallForWork(_ event: EventRecord) -> Bool
    /// Stores the work for `events` (the relevant ones); returns how many rows it made (0 wakes nobody).
    func store(_ events: [EventRecord], _ tx: Transaction) throws -> Int
}

extension EventBatchHandler {
    public func mayCallForWork(_ event: EventRecord) -> Bool { true }
}

/// Turns committed events into durable work. The event bus only wakes it: what it acts on is
/// read from the `events` table after its durable cursor, so an event published while it was
/// busy, dropped from a lagging subscription, or committed while warden was down is still
/// seen. One write stores the work of a batch and moves the cursor past it, so a crash repeats
/// or skips nothing (and the handler's rows are unique per event anyway).
///
/// Most deliveries call for nothing (under a write load: users' messages and their runs). When
/// a delivery, with the ones before it, covers every seq after the cursor and each of its events
/// calls for no work by `mayCallForWork`, the cursor moves over them in memory, without a read.
/// That relies on the bus publishing only committed events, all of them to every global
/// subscriber or a `.lagged`: a seq the follower has not seen is read from the store.
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
    private let types: Set<String>
    /// Where the follower is (nil until its first catch-up read the stored cursor).
    private(set) var cursor: Int64?
    private var storedCursor: Int64 = 0
    /// Seqs past the cursor seen on the bus, none calling for work, waiting for the ones
    /// before them: commits publish concurrently, so not always in seq order.
    private var seenAhead: Set<Int64> = []

    public init(core: WardenCore, handler: Handler, logger: Logger, created: @escaping @Sendable () -> Void) {
        self.core = core
        self.handler = handler
        types = Set(handler.eventTypes)
        self.logger = logger
        self.created = created
    }

    /// Catches up, then again whenever the bus publishes an event that may call for work, one
    /// it cannot account for, or says it dropped some. Ends when the subscription is closed or
    /// the task cancelled.
    public func run(following subscription: EventSubscription) async {
        await catchUpUntilDone()
        while let delivery = await subscription.next() {
            switch delivery {
            case .ping:
                continue
            case .events(let events):
                if (try? await skip(events)) == true { continue }
                await catchUpUntilDone()
            case .lagged:
                await catchUpUntilDone()
            }
        }
    }

    /// Moves the cursor over `events` and the contiguous seqs seen before them, without reading
    /// the store; false (a catch-up is due) when one of them may call for work or too many
    /// wait for an earlier seq.
    func skip(_ events: [EventRecord]) async throws -> Bool {
        guard var position = cursor else { return false }
        for event in events where event.seq > position {
            if types.contains(event.type) && handler.mayCallForWork(event) { return false }
            seenAhead.insert(event.seq)
        }
        while seenAhead.remove(position + 1) != nil { position += 1 }
        let through = position
        cursor = through
        if through - storedCursor >= Self.unsavedLimit {
            let handler = self.handler
            try await core.write { tx in try handler.saveCursor(through, tx) }
            storedCursor = max(storedCursor, through)
        }
        return seenAhead.count <= Self.batchSize
    }

    /// Retries a failed catch-up every second: the events stay in the store until it succeeds.
    private func catchUpUntilDone() async {
        while !Task.isCancelled {
            do {
                try await catchUp()
                dropSeen()
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

    /// Forgets the seqs a catch-up has moved past (all it ended with: they were committed).
    private func dropSeen() {
        guard let cursor, !seenAhead.isEmpty else { return }
        seenAhead = seenAhead.filter { $0 > cursor }
    }
}
