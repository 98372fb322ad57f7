import Foundation
import Testing
@testable import Store

@Suite struct ReaderTests {
    @Test func readersSeeCommittedWrites() async throws {
        try await withDatabase { database, _ in
            for i in 1...10 {
                try await database.write { try $0.execute("INSERT INTO items (n) VALUES (?)", [.integer(Int64(i))]) }
                // Every reader connection, not just one, must see each acknowledged write.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<8 { group.addTask { try await count(database) } }
                    for try await seen in group { #expect(seen == i) }
                }
            }
        }
    }

    @Test func aReadSeesOneSnapshotWhileAWriteCommits() async throws {
        try await withDatabase { database, _ in
            try await database.write { try $0.execute("INSERT INTO items (n) VALUES (1)") }
            let firstQueryDone = Gate()
            let writeCommitted = Gate()
            async let snapshot: (Int, Int, Int) = database.read { connection in
                let before: Int = try connection.queryOne("SELECT count(*) AS c FROM items")!.get("c")
                firstQueryDone.open()
                writeCommitted.wait()
                let after: Int = try connection.queryOne("SELECT count(*) AS c FROM items")!.get("c")
                let sum: Int = try connection.queryOne("SELECT sum(n) AS s FROM items")!.get("s")
                return (before, after, sum)
            }
            await firstQueryDone.waitAsync()
            try await database.write { try $0.execute("INSERT INTO items (n) VALUES (2)") }
            writeCommitted.open()
            let (before, after, sum) = try await snapshot
            #expect(before == 1)
            #expect(after == 1)
            #expect(sum == 1)
            #expect(try await count(database) == 2)
        }
    }

    @Test func readersCannotWrite() async throws {
        try await withDatabase { database, _ async throws in
            let error = await #expect(throws: StoreError.self) {
                try await database.read { try $0.execute("INSERT INTO items (n) VALUES (1)") }
            }
            #expect(try await count(database) == 0)
            guard case .sqlite(let code, _, _, _)? = error else {
                Issue.record("unexpected error \(String(describing: error))")
                return
            }
            #expect(code == 8)  // SQLITE_READONLY
        }
    }

    @Test func readsRunConcurrentlyOnSeveralConnections() async throws {
        try await withDatabase(configuration: .init(readerCount: 3)) { database, _ in
            // Three reads that each wait for the other two can only finish if they run at once.
            let arrived = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await database.read { _ in
                            arrived.withLock { $0 += 1 }
                            while arrived.withLock({ $0 }) < 3 { usleep(1000) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func pingAnswersWhileOpen() async throws {
        try await withDatabase { database, _ in
            try await database.ping()
        }
    }
}
