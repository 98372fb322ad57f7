import Foundation
import Testing
@testable import Store

/// The WAL is copied back into the database file off the writer thread, and it starts over
/// instead of growing without bound while writes keep coming.
@Suite struct CheckpointTests {
    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    func insertRows(_ database: Database, from start: Int, count: Int) async throws {
        for i in start..<(start + count) {
            try await database.write { connection in
                try connection.execute("INSERT INTO items (n, label) VALUES (?, ?)",
                                       [.integer(Int64(i)), .text(String(repeating: "x", count: 3000))])
            }
        }
    }

    @Test func theWALIsCopiedIntoTheDatabaseFileInTheBackground() async throws {
        try await withDatabase(configuration: .init(checkpointAfterWALPages: 8)) { database, path in
            try await insertRows(database, from: 0, count: 40)
            try await eventually("a background checkpoint") { database.statistics.checkpoints > 0 }
            // Each row needs about a page of its own, so a file this size holds copied rows.
            try await eventually("rows copied into the database file") { fileSize(path) > 8 * 4096 }
            #expect(try await count(database) == 40)
        }
    }

    /// 4,000 pages of rows through a WAL that is checkpointed every 16 pages: if it never
    /// started over, the WAL file would end up holding all of them.
    @Test func theWALStartsOverWhileWritesContinue() async throws {
        try await withDatabase(configuration: .init(checkpointAfterWALPages: 16)) { database, path in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask { try await insertRows(database, from: writer * 500, count: 500) }
                }
                try await group.waitForAll()
            }
            #expect(try await count(database) == 4000)
            #expect(fileSize(path + "-wal") < 1000 * 4096, "WAL of \(fileSize(path + "-wal")) bytes")
        }
    }

    /// A read kept open pins the frames after its snapshot, so no checkpoint can finish; the
    /// checkpointer then waits for the WAL to grow by a quarter of the threshold between tries
    /// instead of running after every commit.
    @Test func aPinnedSnapshotDoesNotMakeItCheckpointAfterEveryCommit() async throws {
        try await withDatabase(configuration: .init(checkpointAfterWALPages: 400)) { database, _ in
            let started = Gate()
            let release = Gate()
            async let pinned: Int = database.read { connection in
                let n: Int = try connection.queryOne("SELECT count(*) AS c FROM items")!.get("c")
                started.open()
                release.wait()
                return n
            }
            await started.waitAsync()
            let before = database.statistics
            try await insertRows(database, from: 0, count: 200)
            let during = database.statistics
            release.open()
            #expect(try await pinned == 0)
            let commits = during.commits - before.commits
            let checkpoints = during.checkpoints - before.checkpoints
            // Each commit adds about three pages (a row's leaf, its parent, the index): past the
            // threshold that is some 70 commits, which would mean as many checkpoints.
            #expect(checkpoints > 0)
            #expect(checkpoints < 20, "\(checkpoints) checkpoints for \(commits) commits")
            // Released, the snapshot no longer pins anything: the WAL starts over again.
            var next = 200
            while database.statistics.walPages >= 400 && next < 4000 {
                try await insertRows(database, from: next, count: 10)
                next += 10
            }
            #expect(database.statistics.walPages < 400)
        }
    }

    @Test func zeroPagesLeavesCheckpointsToTheCaller() async throws {
        try await withDatabase(configuration: .init(checkpointAfterWALPages: 0)) { database, path in
            try await insertRows(database, from: 0, count: 40)
            #expect(database.statistics.checkpoints == 0)
            #expect(fileSize(path + "-wal") > 40 * 3000)
            try await database.checkpoint()
            #expect(fileSize(path + "-wal") == 0)
            #expect(try await count(database) == 40)
        }
    }
}
