import CWALBuffer
import Foundation
import Testing
@testable import Store

/// The writer's WAL goes through the CWALBuffer VFS: a commit's frames reach the kernel in a
/// few large writes at the commit's sync, other connections see every commit whole, and only
/// the commit syncs skip fdatasync (the WAL flusher syncs instead).
@Suite struct WALBufferTests {
    static let blobs = Migration(
        version: 1, name: "create blobs",
        sql: "CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")

    func writerStatistics(_ database: Database) async throws -> walbuffer_stats {
        try await database.write { connection in
            guard let stats = connection.walBufferStatistics else { throw TestError(id: 0) }
            return stats
        }
    }

    func insertBlobs(_ connection: Connection, count: Int, size: Int, from start: Int = 0) throws {
        for i in start..<(start + count) {
            try connection.execute("INSERT INTO blobs (id, body) VALUES (?, randomblob(?))",
                                   [.integer(Int64(i)), .integer(Int64(size))])
        }
    }

    func integrityCheck(_ database: Database) async throws -> String {
        try await database.read { try $0.queryOne("PRAGMA integrity_check")?.string("integrity_check") ?? "" }
    }

    func rowCount(_ database: Database) async throws -> Int {
        try await database.read { try $0.queryOne("SELECT count(*) AS n FROM blobs")!.get("n") }
    }

    @Test func aCommitOfManyFramesIsAFewLargeWrites() async throws {
        try await withDatabase(migrations: [Self.blobs]) { database, _ in
            let before = try await writerStatistics(database)
            // About 200 pages: one frame each, written by SQLite as 400 writes.
            try await database.write { try insertBlobs($0, count: 200, size: 3000) }
            let after = try await writerStatistics(database)
            let gathered = after.writesGathered - before.writesGathered
            let issued = after.writesIssued - before.writesIssued
            let bytes = after.bytesIssued - before.bytesIssued
            #expect(gathered >= 400, "SQLite wrote \(gathered) times")
            // 64 KiB per write at most, so ~13 writes for ~830 KB; plus the statistics write.
            #expect(issued <= bytes / 65_536 + 3, "\(issued) writes for \(bytes) bytes")
            #expect(after.commitSyncs > before.commitSyncs)
            #expect(try await rowCount(database) == 200)
        }
    }

    /// Readers go by the wal-index, which SQLite updates after the commit's sync: had the
    /// frames still been in the buffer then, a reader would read zeros or stale pages.
    @Test func everyCommitIsWholeForReadersWhileWritesContinue() async throws {
        try await withDatabase(migrations: [Self.blobs]) { database, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for batch in 0..<25 {
                            try await database.write { try insertBlobs($0, count: 4, size: 1500, from: writer * 1000 + batch * 4) }
                        }
                    }
                }
                group.addTask {
                    for _ in 0..<50 {
                        let (rows, bytes): (Int, Int) = try await database.read { connection in
                            let row = try connection.queryOne("SELECT count(*) AS n, coalesce(sum(length(body)), 0) AS b FROM blobs")!
                            return (try row.get("n"), try row.get("b"))
                        }
                        #expect(rows % 4 == 0 && bytes == rows * 1500, "\(rows) rows, \(bytes) bytes")
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await rowCount(database) == 400)
            #expect(try await integrityCheck(database) == "ok")
        }
    }

    /// With a page cache of a few pages SQLite spills frames mid-transaction, reads them back and
    /// rewrites some in place (then rewrites their checksums): writes that are not appends, and
    /// reads of what may still be gathered.
    @Test func aTransactionThatSpillsAndRewritesItsFramesCommitsIntact() async throws {
        try await withDatabase(migrations: [Self.blobs], configuration: .init(writerCacheKiB: 40)) { database, path in
            try await database.write { connection in
                try insertBlobs(connection, count: 300, size: 2000)
                try connection.execute("UPDATE blobs SET body = zeroblob(1000) WHERE id % 3 = 0")
                try insertBlobs(connection, count: 100, size: 2000, from: 300)
            }
            #expect(try await rowCount(database) == 400)
            #expect(try await integrityCheck(database) == "ok")
            let zeroed: Int = try await database.read {
                try $0.queryOne("SELECT count(*) AS n FROM blobs WHERE body = zeroblob(1000)")!.get("n")
            }
            #expect(zeroed == 100)
            // Recovery reads the WAL file itself: what is on disk must be the whole commit.
            await database.close()
            let reopened = try Database(path: path, migrations: [Self.blobs])
            #expect(try await rowCount(reopened) == 400)
            #expect(try await integrityCheck(reopened) == "ok")
            await reopened.close()
        }
    }

    /// A write that spills and then throws is rolled back; the frames it wrote are not
    /// committed, and the next commit and a checkpoint after it leave a sound database.
    @Test func aRolledBackSpillLeavesNothingBehind() async throws {
        try await withDatabase(migrations: [Self.blobs], configuration: .init(writerCacheKiB: 40)) { database, _ in
            try await database.write { try insertBlobs($0, count: 10, size: 500) }
            await #expect(throws: TestError.self) {
                try await database.write { connection in
                    try insertBlobs(connection, count: 300, size: 2000, from: 100)
                    throw TestError(id: 1)
                }
            }
            try await database.write { try insertBlobs($0, count: 10, size: 500, from: 1000) }
            try await database.checkpoint()
            #expect(try await rowCount(database) == 20)
            #expect(try await integrityCheck(database) == "ok")
        }
    }

    /// After a checkpoint empties the WAL, the next commit writes a new WAL header, which SQLite
    /// syncs on its own before any frame: that sync, unlike the commit's, reaches the disk.
    @Test func theHeaderSyncAfterTheWALStartsOverIsReal() async throws {
        try await withDatabase(migrations: [Self.blobs]) { database, _ in
            try await database.write { try insertBlobs($0, count: 5, size: 100) }
            try await database.checkpoint()
            let before = try await writerStatistics(database)
            try await database.write { try insertBlobs($0, count: 5, size: 100, from: 5) }
            let after = try await writerStatistics(database)
            #expect(after.realSyncs > before.realSyncs)
            #expect(after.commitSyncs > before.commitSyncs)
        }
    }
}
