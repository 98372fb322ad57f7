import Foundation
import Testing
@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// With synchronous=full the WAL is synced by a thread of its own: writes are acknowledged,
/// and reads that may have seen them handed back, only after the sync that covers them; the
/// writer goes on committing meanwhile; a failed sync fails every write from then on.
@Suite struct WALSyncTests {
    /// A stand-in for fdatasync that the test can hold or fail; it syncs for real otherwise.
    final class SyncHook: Sendable {
        enum Mode: Sendable { case pass, hold, fail }
        private let state = Locked<(mode: Mode, entered: Int, held: Gate?)>((.pass, 0, nil))
        /// Runs inside each sync, before it returns (after the gate when held).
        let duringSync = Locked<(@Sendable () -> Void)?>(nil)

        var entered: Int { state.withLock { $0.entered } }

        /// The next syncs block until `release()`.
        func hold() { state.withLock { $0.mode = .hold; $0.held = Gate() } }

        func release() {
            let gate = state.withLock { state -> Gate? in
                state.mode = .pass
                return state.held
            }
            gate?.open()
        }

        func failFromNowOn() { state.withLock { $0.mode = .fail } }

        func sync(_ fd: Int32) -> Int32 {
            let (mode, gate) = state.withLock { state -> (Mode, Gate?) in
                state.entered += 1
                return (state.mode, state.held)
            }
            if mode == .hold { gate?.wait(); gate?.open() } // reopened for any later held sync
            duringSync.withLock { $0 }?()
            if mode == .fail {
                errno = EIO
                return -1
            }
            return fdatasync(fd)
        }

        var configuration: Database.Configuration {
            var configuration = Database.Configuration(synchronous: .full)
            configuration.syncWAL = { [self] fd in self.sync(fd) }
            return configuration
        }
    }

    func insert(_ database: Database, _ n: Int) async throws {
        try await database.write { try $0.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(n))]) }
    }

    @Test func aWriteIsAcknowledgedOnlyAfterItsSync() async throws {
        let hook = SyncHook()
        let acknowledged = Locked(false)
        let acknowledgedDuringSync = Locked<Bool?>(nil)
        hook.duringSync.withLock {
            $0 = {
                // Gives an acknowledgement that did not wait for this sync the time to land.
                Thread.sleep(forTimeInterval: 0.2)
                acknowledgedDuringSync.withLock { $0 = $0 ?? acknowledged.withLock { $0 } }
            }
        }
        try await withDatabase(configuration: hook.configuration) { database, _ in
            try await insert(database, 1)
            acknowledged.withLock { $0 = true }
            #expect(acknowledgedDuringSync.withLock { $0 } == false, "acknowledged before the WAL was synced")
            #expect(database.statistics.walSyncs >= 1)
        }
    }

    @Test func aReadThatSawAnUnsyncedCommitWaitsForTheSync() async throws {
        let hook = SyncHook()
        try await withDatabase(configuration: hook.configuration) { database, _ in
            try await insert(database, 1)
            hook.hold()
            let syncsBefore = hook.entered
            async let held: Void = insert(database, 2)
            try await eventually("the second row's sync to start") { hook.entered > syncsBefore }

            let returned = Locked<Int?>(nil)
            let read = Task {
                let n = try await count(database)
                returned.withLock { $0 = n }
                return n
            }
            try await Task.sleep(for: .milliseconds(200)) // room for a read that did not wait
            #expect(returned.withLock { $0 } == nil, "a read showed a row that was not on disk yet")
            hook.release()
            #expect(try await read.value == 2)
            try await held
        }
    }

    @Test func theWriterCommitsWhileASyncIsHeldAndOneSyncCoversWhatItCommitted() async throws {
        let hook = SyncHook()
        try await withDatabase(configuration: hook.configuration) { database, _ in
            hook.hold()
            async let first: Void = insert(database, 1)
            try await eventually("the first sync to start") { hook.entered == 1 }
            async let second: Void = insert(database, 2)
            try await eventually("a second commit while the sync is held") { database.statistics.commits == 2 }
            async let third: Void = insert(database, 3)
            try await eventually("a third commit while the sync is held") { database.statistics.commits == 3 }
            // The commit counter moves just before the flusher hears of it.
            try await Task.sleep(for: .milliseconds(50))
            #expect(database.statistics.walSyncs == 0)

            hook.release()
            _ = try await (first, second, third)
            #expect(database.statistics.walSyncs == 2, "one sync for the first commit, one for both that came while it ran")
            #expect(try await count(database) == 3)
        }
    }

    @Test func aFailedSyncFailsItsWritesAndEveryWriteAfter() async throws {
        let hook = SyncHook()
        try await withDatabase(configuration: hook.configuration) { database, path in
            try await insert(database, 1)
            hook.failFromNowOn()
            let expected = StoreError.walSyncFailed(path: path + "-wal", errno: EIO)
            await #expect(throws: expected) { try await insert(database, 2) }
            let syncs = hook.entered
            await #expect(throws: expected) { try await insert(database, 3) }
            #expect(hook.entered == syncs, "a write after the failure was not even tried")
            // What the store holds can no longer be promised durable, so reads say so too.
            await #expect(throws: expected) { try await count(database) }
            #expect("\(expected)".contains("Input/output error"))
        }
    }

    @Test func normalModeNeverSyncsTheWALOnItsOwn() async throws {
        try await withDatabase(configuration: .init(synchronous: .normal)) { database, _ in
            try await insert(database, 1)
            #expect(database.statistics.walSyncs == 0)
            #expect(try await count(database) == 1)
        }
    }
}
