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
    init(wanted: String) { self.wanted = wanted }

    var eventTypes: [String] { ["message.created"] }
    func storedCursor(_ db: Connection) throws -> Int64 { try WebhookDeliveryRepository(db).dispatchedThrough() }
    func saveCursor(_ seq: Int64, _ tx: Transaction) throws { try WebhookDeliveryRepository(tx.db).markDispatched(through: seq) }
    func relevant(_ events: [EventRecord], _ db: Connection) throws -> [EventRecord] {
        events.filter { $0.sessionID == wanted }
    }
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
}
