import Foundation
import Testing
@testable import Store

@Suite struct CloseTests {
    @Test func closeLetsQueuedWritesCommitThenRefusesWork() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("close.sqlite").path
        let database = try Database(path: path, migrations: [itemsMigration])

        let started = Gate()
        let release = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.write { _ in started.open(); release.wait() } }
            await started.waitAsync()
            for i in 0..<50 {
                group.addTask {
                    _ = try await database.write { try $0.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))]) }
                }
            }
            try await eventually("50 queued writes") { database.statistics.pendingWrites == 50 }
            group.addTask { await database.close() }
            try await eventually("close to begin") { database.isClosed }
            // Closing has begun while the 50 writes are still queued: they must all succeed.
            release.open()
            try await group.waitForAll()
        }

        await #expect(throws: StoreError.closed) { try await database.write { _ in 1 } }
        await #expect(throws: StoreError.closed) { try await database.read { _ in 1 } }
        await #expect(throws: StoreError.closed) { try await database.ping() }
        await #expect(throws: StoreError.closed) { try await database.checkpoint() }
        await database.close()  // a second close is harmless

        let reopened = try Database(path: path, migrations: [itemsMigration])
        #expect(try await count(reopened) == 50)
        await reopened.close()
    }
}
