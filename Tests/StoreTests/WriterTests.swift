import Foundation
import Testing
@testable import Store

@Suite struct WriterTests {
    /// Holds the writer inside a write until `release` opens, so the writes queued meanwhile are
    /// known to form the next batch; this proves batching without relying on timing.
    func withWriterHeld(
        _ database: Database,
        queue: (inout ThrowingTaskGroup<Void, any Error>) -> Int,
        then: () async throws -> Void = {}
    ) async throws {
        let started = Gate()
        let release = Gate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await database.write { _ in
                    started.open()
                    release.wait()
                }
            }
            await started.waitAsync()
            let queued = queue(&group)
            try await eventually("\(queued) queued writes") { database.statistics.pendingWrites == queued }
            try await then()
            release.open()
            try await group.waitForAll()
        }
    }

    @Test func concurrentWritesAreGroupCommitted() async throws {
        try await withDatabase { database, _ in
            let ids = Locked<[Int64]>([])
            let before = database.statistics
            try await withWriterHeld(database) { group in
                for i in 0..<200 {
                    group.addTask {
                        let id = try await database.write { connection in
                            try connection.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))])
                            return connection.lastInsertRowID
                        }
                        ids.withLock { $0.append(id) }
                    }
                }
                return 200
            }
            let after = database.statistics
            #expect(Set(ids.withLock { $0 }).count == 200)
            #expect(try await count(database) == 200)
            let ns: [Int] = try await database.read { try $0.query("SELECT n FROM items ORDER BY n").map { try $0.get("n") } }
            #expect(ns == Array(0..<200))
            let writes = after.writes - before.writes
            let commits = after.commits - before.commits
            #expect(writes == 201)
            // One commit for the holding write, one for the 200 queued behind it.
            #expect(commits == 2)
            #expect(commits < writes)
        }
    }

    @Test func unheldConcurrentWritesAllSucceed() async throws {
        try await withDatabase { database, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        _ = try await database.write { try $0.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))]) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await count(database) == 200)
            let stats = database.statistics
            #expect(stats.commits <= stats.writes)
        }
    }

    @Test func aThrowingWriteIsRolledBackAloneWithinItsBatch() async throws {
        try await withDatabase { database, _ in
            let outcomes = Locked<[Int: Result<Int64, TestError>]>([:])
            let conflicts = Locked<[StoreError]>([])
            try await database.write { try $0.execute("INSERT INTO items (n) VALUES (1000)") }
            let before = database.statistics
            try await withWriterHeld(database) { group in
                for i in 0..<30 {
                    group.addTask {
                        do {
                            let id = try await database.write { connection in
                                try connection.execute("INSERT INTO items (n, label) VALUES (?, 'x')", [.integer(Int64(i))])
                                if i % 3 == 0 { throw TestError(id: i) }
                                return connection.lastInsertRowID
                            }
                            outcomes.withLock { $0[i] = .success(id) }
                        } catch let error as TestError {
                            outcomes.withLock { $0[i] = .failure(error) }
                        }
                    }
                }
                // A constraint violation in the same batch fails only its own caller too.
                group.addTask {
                    do {
                        try await database.write { try $0.execute("INSERT INTO items (n) VALUES (1000)") }
                        Issue.record("duplicate insert succeeded")
                    } catch let error as StoreError {
                        conflicts.withLock { $0.append(error) }
                    }
                }
                return 31
            }
            let after = database.statistics
            #expect(after.commits - before.commits == 2)
            #expect(after.failedWrites - before.failedWrites == 11)
            for i in 0..<30 {
                switch outcomes.withLock({ $0[i] }) {
                case .failure(let error)?: #expect(i % 3 == 0 && error == TestError(id: i))
                case .success?: #expect(i % 3 != 0)
                case nil: Issue.record("write \(i) has no outcome")
                }
            }
            let ns: [Int] = try await database.read { try $0.query("SELECT n FROM items WHERE n < 1000 ORDER BY n").map { try $0.get("n") } }
            #expect(ns == (0..<30).filter { $0 % 3 != 0 })
            let conflict = try #require(conflicts.withLock { $0.first })
            #expect(conflict.constraintKind == .unique)
        }
    }

    @Test func constraintViolationIsTypedAndCarriesNoValues() async throws {
        try await withDatabase { database, _ in
            let secret = "sk-live-do-not-leak"
            try await database.write { try $0.execute("INSERT INTO items (n, label) VALUES (1, ?)", [.text(secret)]) }
            let error = await #expect(throws: StoreError.self) {
                try await database.write { try $0.execute("INSERT INTO items (n, label) VALUES (1, ?)", [.text(secret)]) }
            }
            guard case .constraint(_, let message, let sql)? = error else {
                Issue.record("expected a constraint error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("items.n"))
            #expect(sql == "INSERT INTO items (n, label) VALUES (1, ?)")
            #expect(!"\(error!)".contains(secret))
        }
    }

    @Test func transactionControlInsideAWriteIsRefused() async throws {
        try await withDatabase { database, _ in
            // A write cannot change `synchronous` either (SQLite refuses inside a transaction),
            // which the writer's VFS relies on: it writes the WAL out at FULL's commit sync.
            for sql in ["COMMIT", "BEGIN", "SAVEPOINT x", "ROLLBACK", "PRAGMA synchronous = NORMAL", "PRAGMA main.synchronous=OFF"] {
                await #expect(throws: StoreError.self) {
                    try await database.write { try $0.execute(sql) }
                }
            }
            // The writer is still usable and its batches still commit; reading the setting is allowed.
            try await database.write { try $0.execute("INSERT INTO items (n) VALUES (1)") }
            #expect(try await count(database) == 1)
            let level: Int = try await database.write { try $0.queryOne("PRAGMA synchronous")!.get("synchronous") }
            #expect(level == 2, "FULL")
        }
    }

    @Test func writeReturnsOnlyAfterItsCommit() async throws {
        try await withDatabase { database, _ in
            let before = database.statistics.commits
            for i in 1...20 {
                let id = try await database.write { connection in
                    try connection.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))])
                    return connection.lastInsertRowID
                }
                // The writer counts a commit before it resumes the batch's callers, so a caller
                // resumed ahead of its COMMIT would see one commit too few here.
                #expect(database.statistics.commits - before == i)
                let row = try await database.read { try $0.queryOne("SELECT n FROM items WHERE id = ?", [.integer(id)]) }
                #expect(row?.int("n") == i)
            }
        }
    }

    @Test func syncVariantsWorkOutsideAsyncCode() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try Database(path: directory.appendingPathComponent("sync.sqlite").path, migrations: [itemsMigration])
        let id = try database.writeSync { connection in
            try connection.execute("INSERT INTO items (n) VALUES (5)")
            return connection.lastInsertRowID
        }
        let n: Int? = try database.readSync { try $0.queryOne("SELECT n FROM items WHERE id = ?", [.integer(id)])?.int("n") }
        #expect(n == 5)
        // Waiting on the writer from inside a write would never return.
        #expect(throws: StoreError.self) {
            try database.writeSync { _ in try database.writeSync { _ in 1 } }
        }
        database.closeSync()
        #expect(throws: StoreError.closed) { try database.writeSync { _ in 1 } }
    }

    @Test func checkpointTruncatesTheWAL() async throws {
        try await withDatabase { database, path in
            for i in 0..<20 {
                try await database.write { try $0.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))]) }
            }
            let walSize = { (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? -1 }
            #expect(walSize() > 0)
            try await database.checkpoint()
            #expect(walSize() == 0)
            #expect(try await count(database) == 20)
        }
    }

    /// A batch runs without savepoints: a write that throws before changing anything has
    /// nothing to undo, so no write runs twice and the batch commits once.
    @Test func aWriteThatThrowsBeforeChangingAnythingLeavesItsBatchAlone() async throws {
        try await withDatabase { database, _ in
            let runs = Locked<[Int]>([])
            let before = database.statistics
            try await withWriterHeld(database) { group in
                for i in 0..<20 {
                    group.addTask {
                        do {
                            try await database.write { connection in
                                runs.withLock { $0.append(i) }
                                if i % 2 == 1 { throw TestError(id: i) }
                                try connection.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))])
                            }
                            #expect(i % 2 == 0)
                        } catch let error as TestError {
                            #expect(error == TestError(id: i))
                        }
                    }
                }
                return 20
            }
            #expect(runs.withLock { $0 }.sorted() == Array(0..<20), "every write ran once")
            #expect(database.statistics.commits - before.commits == 2)
            let ns: [Int] = try await database.read { try $0.query("SELECT n FROM items ORDER BY n").map { try $0.get("n") } }
            #expect(ns == (0..<20).filter { $0 % 2 == 0 })
        }
    }

    /// A write that throws after changing rows cannot be undone alone without a savepoint: the
    /// batch is rolled back and run again, in the same order, a savepoint per write. The
    /// writes before it run twice, the ones after once, and every caller is answered once.
    @Test func aWriteThatThrowsAfterChangingRowsRunsItsBatchAgainWithSavepoints() async throws {
        try await withDatabase { database, _ in
            let runs = Locked<[Int]>([])
            let failing = 7
            try await withWriterHeld(database) { group in
                for i in 0..<15 {
                    group.addTask {
                        do {
                            try await database.write { connection in
                                runs.withLock { $0.append(i) }
                                try connection.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))])
                                if i == failing { throw TestError(id: i) }
                            }
                            #expect(i != failing)
                        } catch let error as TestError {
                            #expect(error == TestError(id: failing))
                        }
                    }
                }
                return 15
            }
            let log = runs.withLock { $0 }
            let first = try #require(log.firstIndex(of: failing))
            let firstPass = Array(log[...first])
            let secondPass = Array(log[(first + 1)...])
            #expect(Array(secondPass.prefix(firstPass.count)) == firstPass, "run again in the same order: \(log)")
            #expect(secondPass.sorted() == Array(0..<15), "the second pass runs every write once: \(log)")
            let ns: [Int] = try await database.read { try $0.query("SELECT n FROM items ORDER BY n").map { try $0.get("n") } }
            #expect(ns == (0..<15).filter { $0 != failing })
        }
    }

    /// SQLite does not count a schema change as a changed row; a write that makes one and then
    /// throws must still be rolled back alone.
    @Test func aWriteThatChangesTheSchemaAndThrowsIsRolledBack() async throws {
        try await withDatabase { database, _ in
            try await withWriterHeld(database) { group in
                group.addTask {
                    await #expect(throws: TestError.self) {
                        try await database.write { connection in
                            try connection.execute("CREATE TABLE extra (x INTEGER)")
                            throw TestError(id: 1)
                        }
                    }
                }
                group.addTask {
                    _ = try await database.write { try $0.execute("INSERT INTO items (n) VALUES (1)") }
                }
                return 2
            }
            let tables: [String] = try await database.read {
                try $0.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map { try $0.get("name") }
            }
            #expect(!tables.contains("extra"), "\(tables)")
            #expect(try await count(database) == 1)
        }
    }
}
