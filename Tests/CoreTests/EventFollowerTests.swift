import Logging
import Synchronization
import Testing
@testable import Core
import Store

/// A handler that wants the `message.created` events of one session, remembers what it was
/// asked to store and keeps its cursor in `webhook_dispatch` (nothing else uses it here).
private final class OneSessionHandler: EventBatchHandler {
    let wanted: String
    let stored = Mutex<[Int64]>([])
    let writesAsked = Mutex(0)
    /// Reads the follower made (each batch it read from the store is judged here).
    let reads = Mutex(0)
    init(wanted: String) { self.wanted = wanted }

    var eventTypes: [String] { ["message.created"] }
    func storedCursor(_ db: Connection) throws -> Int64 { try WebhookDeliveryRepository(db).dispatchedThrough() }
    func saveCursor(_ seq: Int64, _ tx: Transaction) throws { try WebhookDeliveryRepository(tx.db).markDispatched(through: seq) }
    func relevant(_ events: [EventRecord], _ db: Connection) throws -> [EventRecord] {
        reads.withLock { $0 += 1 }
        return events.filter { $0.sessionID == wanted }
    }
    func mayCallForWork(_ event: EventRecord) -> Bool { event.sessionID == wanted }
    func store(_ events: [EventRecord], _ tx: Transaction) throws -> Int {
        writesAsked.withLock { $0 += 1 }
        stored.withLock { $0 += events.map(\.seq) }
        return events.count
    }
}

@Suite struct EventFollowerTests {
    private static let quiet = Logger(label: "test.follower", factory: { _ in SwiftLogNoOpLogHandler() })

    private func post(_ count: Int, to session: String, _ core: WardenCore) async throws {
        try await core.write { tx in
            for n in 0..<count { _ = try tx.postMessage(IncomingMessage(content: [ContentBlock(text: "m\(n)")]), to: session) }
        }
    }

    private func cursor(_ core: WardenCore) async throws -> Int64 {
        try await core.read { try WebhookDeliveryRepository($0).dispatchedThrough() }
    }

    /// Several full batches of events nobody wants, then one that is wanted: only that one is
    /// stored, in one write, and the cursor ends at the head.
    @Test func eventsNobodyWantsAreSkippedAcrossBatchesWithoutWrites() async throws {
        try await withCore { core in
            let (busy, quiet) = try await core.write { tx in
                (try tx.createSession(SessionInput(), owner: "key_x").id, try tx.createSession(SessionInput(), owner: "key_x").id)
            }
            let start = try await cursor(core)
            try await post(EventFollower<OneSessionHandler>.batchSize * 2 + 50, to: busy, core)
            try await post(1, to: quiet, core)
            let handler = OneSessionHandler(wanted: quiet)
            let follower = EventFollower(core: core, handler: handler, logger: Self.quiet) {}
            try await follower.catchUp()
            let head = try await core.read { try EventRepository($0).lastSeq() }
            let wanted = try await core.read { db in
                try EventRepository(db).after(session: quiet, sessionSeq: 0).filter { $0.type == "message.created" }.map(\.seq)
            }
            #expect(handler.stored.withLock { $0 } == wanted)
            #expect(handler.writesAsked.withLock { $0 } == 1)
            #expect(try await cursor(core) == head)
            #expect(start < head)

            try await follower.catchUp()
            #expect(handler.writesAsked.withLock { $0 } == 1, "nothing new: nothing stored again")
        }
    }

    /// With nothing wanted the cursor is still saved now and then, so a restart does not scan
    /// everything again; below the limit it is not written at all.
    @Test func withNothingWantedTheCursorIsSavedOnlyPastTheLimit() async throws {
        try await withCore { core in
            let session = try await core.write { tx in try tx.createSession(SessionInput(), owner: "key_x").id }
            let start = try await cursor(core)
            let handler = OneSessionHandler(wanted: "ses_nobody")
            let follower = EventFollower(core: core, handler: handler, logger: Self.quiet) {}
            try await post(10, to: session, core)
            try await follower.catchUp()
            #expect(try await cursor(core) == start, "10 skipped events are not worth a write")
            try await post(Int(EventFollower<OneSessionHandler>.unsavedLimit), to: session, core)
            try await follower.catchUp()
            let head = try await core.read { try EventRepository($0).lastSeq() }
            let saved = try await cursor(core)
            #expect(saved > start)
            #expect(head - saved < EventFollower<OneSessionHandler>.unsavedLimit, "a restart rescans less than the limit")
            #expect(handler.writesAsked.withLock { $0 } == 0)
        }
    }

    private func events(after seq: Int64, _ core: WardenCore) async throws -> [EventRecord] {
        try await core.read { try EventRepository($0).after(seq: seq, limit: 10_000) }
    }

    private func head(_ core: WardenCore) async throws -> Int64 {
        try await core.read { try EventRepository($0).lastSeq() }
    }

    /// A follower that has caught up once, on a store with one session nobody wants.
    private func caughtUp(_ core: WardenCore, wanting wanted: String = "ses_nobody")
        async throws -> (EventFollower<OneSessionHandler>, OneSessionHandler, session: String) {
        let session = try await core.write { tx in try tx.createSession(SessionInput(), owner: "key_x").id }
        let handler = OneSessionHandler(wanted: wanted)
        let follower = EventFollower(core: core, handler: handler, logger: Self.quiet) {}
        try await follower.catchUp()
        return (follower, handler, session)
    }

    /// Published out of order, as concurrent commits are: the follower moves over them all
    /// and reads nothing.
    @Test func eventsNobodyWantsAreSkippedWithoutReadingTheStore() async throws {
        try await withCore { core in
            let (follower, handler, session) = try await caughtUp(core)
            let start = try await head(core)
            try await post(5, to: session, core)
            let readsBefore = handler.reads.withLock { $0 }
            #expect(try await follower.skip(try await events(after: start, core).reversed()))
            #expect(await follower.cursor == (try await head(core)))
            #expect(handler.reads.withLock { $0 } == readsBefore)
        }
    }

    /// Events past a seq not seen yet wait for it; when it comes the cursor moves over all.
    @Test func theCursorWaitsForAGapToFill() async throws {
        try await withCore { core in
            let (follower, _, session) = try await caughtUp(core)
            let start = try await head(core)
            try await post(3, to: session, core)
            let all = try await events(after: start, core)
            #expect(try await follower.skip(Array(all.dropFirst())))
            #expect(await follower.cursor == start, "the first event has not been seen")
            #expect(try await follower.skip([all[0]]))
            #expect(await follower.cursor == all.last?.seq)
        }
    }

    @Test func anEventThatMayCallForWorkIsLeftToACatchUp() async throws {
        try await withCore { core in
            let wanted = try await core.write { tx in try tx.createSession(SessionInput(), owner: "key_x").id }
            let (follower, handler, _) = try await caughtUp(core, wanting: wanted)
            let start = try await head(core)
            try await post(1, to: wanted, core)
            #expect(try await follower.skip(try await events(after: start, core)) == false)
            #expect(await follower.cursor == start)
            try await follower.catchUp()
            #expect(handler.stored.withLock { $0 }.count == 1)
        }
    }

    /// Beyond a gap only a batch's worth waits; more mean something was missed, so read.
    @Test func tooManyEventsBehindAGapAskForACatchUp() async throws {
        try await withCore { core in
            let (follower, _, session) = try await caughtUp(core)
            let start = try await head(core)
            try await post(EventFollower<OneSessionHandler>.batchSize / 2 + 1, to: session, core)
            #expect(try await follower.skip(Array(try await events(after: start, core).dropFirst())) == false)
            #expect(await follower.cursor == start)
        }
    }

    /// Moving in memory, the cursor is still written once it is `unsavedLimit` ahead.
    @Test func skippingSavesTheCursorPastTheLimit() async throws {
        try await withCore { core in
            let (follower, handler, session) = try await caughtUp(core)
            let start = try await cursor(core)
            try await post(Int(EventFollower<OneSessionHandler>.unsavedLimit) / 2, to: session, core)
            #expect(try await follower.skip(try await events(after: start, core)))
            #expect(try await cursor(core) == (try await head(core)))
            #expect(handler.writesAsked.withLock { $0 } == 0)
        }
    }

    /// Following the live bus: messages nobody wants pass, the wanted one is stored once.
    @Test func followingTheBusStoresOnlyTheWantedEvent() async throws {
        try await withCore { core in
            let wanted = try await core.write { tx in try tx.createSession(SessionInput(), owner: "key_x").id }
            let (follower, handler, session) = try await caughtUp(core, wanting: wanted)
            let subscription = core.bus.subscribe(session: nil)
            let running = Task { await follower.run(following: subscription) }
            defer { subscription.close(); running.cancel() }
            for _ in 0..<20 { try await post(1, to: session, core) }
            try await post(1, to: wanted, core)
            let last = try await head(core)
            // A safety net, not a measure: a loaded CI machine can take seconds for this.
            let deadline = ContinuousClock.now + .seconds(30)
            while await follower.cursor != last, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await follower.cursor == last)
            let stored = handler.stored.withLock { $0 }
            let expected = try await events(after: last - 2, core).filter { $0.type == "message.created" }.map(\.seq)
            #expect(stored == expected)
        }
    }
}
