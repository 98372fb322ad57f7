import Foundation
import Logging
import Synchronization
import Testing
@testable import Core
import Store

/// A core over a fresh database file, closed and deleted afterwards.
func withCore<R>(bus: EventBus = EventBus(), _ body: (WardenCore) async throws -> R) async throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-core-\(UUID().uuidString.prefix(12))")
    defer { try? FileManager.default.removeItem(at: directory) }
    let quiet = Logger(label: "test.store", factory: { _ in SwiftLogNoOpLogHandler() })
    let database = try Database(path: directory.appendingPathComponent("warden.db").path,
                                configuration: Database.Configuration(logger: quiet), migrations: WardenSchema.migrations)
    let core = WardenCore(database: database, bus: bus)
    do {
        let result = try await body(core)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

/// Awaits `operation` for at most `seconds`; it runs in its own task, so it cannot hang the test.
func bounded<T: Sendable>(_ seconds: Double = 5, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let box = ResultBox<T>()
    let work = Task { box.put(await Result(catching: { try await operation() })) }
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if let result = box.value { return try result.get() }
        try await Task.sleep(for: .milliseconds(5))
    }
    work.cancel()
    throw Timeout()
}

final class ResultBox<T: Sendable>: Sendable {
    private let state = Mutex<Result<T, any Error>?>(nil)
    func put(_ r: Result<T, any Error>) { state.withLock { $0 = r } }
    var value: Result<T, any Error>? { state.withLock { $0 } }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

@Suite struct CoreServiceTests {
    @Test func keysAreHashedAndRevocable() async throws {
        try await withCore { core in
            let (key, secret) = try await core.write { tx in try tx.createKey(role: .approver, name: "k", createdBy: nil) }
            #expect(secret.hasPrefix("wk_"))
            #expect(key.key == secret, "the creating call sees the secret once")
            let record = try await core.read { try APIKeyRepository($0).find(key.id) }
            #expect(record?.hash == Crypto.sha256(secret))
            #expect(record?.prefix == String(secret.prefix(10)))
            let principal = try await core.authenticate(secret: secret)
            #expect(principal == Principal(keyID: key.id, role: .approver))
            #expect(try await core.authenticate(secret: secret + "x") == nil)
            #expect(try await core.key(key.id)?.key == nil, "a read never has the secret")

            try await core.write { tx in try tx.revokeKey(key.id, by: "key_admin") }
            #expect(try await core.authenticate(secret: secret) == nil)
            #expect(try await core.key(key.id) == nil)
            await #expect(throws: CoreError.notFound(kind: "key", id: key.id)) {
                try await core.write { tx in try tx.revokeKey(key.id, by: "key_admin") }
            }
        }
    }

    @Test func bootstrapSecretMustBeStrongAndIsCreatedOnce() async throws {
        try await withCore { core in
            await #expect(throws: CoreError.self) { try await core.loadKeys(bootstrapSecret: "short") }
            let secret = "wk_bootstrap_secret_for_core_tests_0001"
            try await core.loadKeys(bootstrapSecret: secret)
            try await core.loadKeys(bootstrapSecret: secret)
            let principal = try await core.authenticate(secret: secret)
            #expect(principal?.role == .admin)
            let count: Int64 = try await core.read { try $0.queryOne("SELECT count(*) AS n FROM api_keys")?.get("n") ?? -1 }
            #expect(count == 1)
        }
    }

    /// Events are stored with the change and published only once it committed; a failed
    /// transaction stores and publishes nothing, and leaves no hole in the sequence.
    @Test func eventsArePublishedAfterCommitOnly() async throws {
        try await withCore { core in
            let session = try await core.write { tx in try tx.createSession(SessionInput(title: "t"), owner: "key_x").id }
            let subscription = core.bus.subscribe(session: nil)
            defer { subscription.close() }
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await core.write { tx in
                    try tx.emit("run.status", session: session, data: "{}")
                    throw Abort()
                }
            }
            let (message, run) = try await core.write { tx in
                try tx.postMessage(IncomingMessage(content: [ContentBlock(text: "hi")], author: "ann"), to: session)
            }
            let delivery = try await next(subscription)
            guard case .events(let events)? = delivery else { Issue.record("got \(String(describing: delivery))"); return }
            #expect(events.map(\.type) == ["message.created", "run.created"])
            #expect(events.map(\.sessionSeq) == [1, 2], "the aborted event left no hole")
            #expect(events.map(\.seq) == [1, 2])
            #expect(events[0].data == JSONCoding.encodeText(message))
            #expect(events[1].data == JSONCoding.encodeText(run))
            #expect(message.run_id == run.id)
            let stored = try await core.read { try EventRepository($0).after(session: session, sessionSeq: 0) }
            #expect(stored == events)
        }
    }

    @Test func approvalsOfUnknownThingsAreNotFound() async throws {
        try await withCore { core in
            let details = ApprovalRequestDetails(method: "GET", host: "h", path: "/", headers: [:], body_preview: "")
            await #expect(throws: CoreError.notFound(kind: "session", id: "ses_nope")) {
                _ = try await core.requestApproval(session: "ses_nope", run: nil, kind: "tool", summary: "s", request: details)
            }
            await #expect(throws: CoreError.notFound(kind: "approval", id: "apr_nope")) {
                _ = try await core.awaitDecision("apr_nope")
            }
            #expect(core.approvals.waitingCount == 0, "a failed wait does not stay registered")
        }
    }

    @Test func twoWaitersOnOneApprovalBothWake() async throws {
        try await withCore { core in
            let session = try await core.write { tx in try tx.createSession(SessionInput(), owner: "key_x").id }
            let details = ApprovalRequestDetails(method: "GET", host: "h", path: "/", headers: [:], body_preview: "")
            let approval = try await core.requestApproval(session: session, run: nil, kind: "tool", summary: "s",
                                                          request: details)
            let first = Task { try await core.awaitDecision(approval.id) }
            let second = Task { try await core.awaitDecision(approval.id) }
            let deadline = ContinuousClock.now + .seconds(5)
            while core.approvals.waitingCount < 2 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            _ = try await core.write { tx in try tx.decideApproval(approval.id, approve: false, reason: nil, by: "key_a") }
            let a = try await bounded { try await first.value }
            let b = try await bounded { try await second.value }
            #expect(a.status == "denied")
            #expect(b.status == "denied")
            #expect(core.approvals.waitingCount == 0)
        }
    }
}
