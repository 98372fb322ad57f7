import Foundation
import Testing
@testable import Store

@Suite struct MigrationTests {
    static let m1 = Migration(version: 1, name: "create users", sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    static let m2 = Migration(version: 2, name: "create posts", sql: """
        CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));
        CREATE INDEX posts_user ON posts (user_id);
        """)
    static let m3 = Migration(version: 3, name: "add email", sql: "ALTER TABLE users ADD COLUMN email TEXT")

    func open(_ path: String, _ migrations: [Migration]) async throws {
        let database = try Database(path: path, migrations: migrations)
        await database.close()
    }

    /// Reads the file directly: a Database would refuse to open with an incomplete migration list.
    func inspect<T>(_ path: String, _ body: (Connection) throws -> T) throws -> T {
        let connection = try Connection(path: path, readOnly: true, busyTimeoutMilliseconds: 1000,
                                        cacheCapacity: 8, stats: StatsRecorder())
        defer { connection.close() }
        return try body(connection)
    }

    func applied(_ path: String) throws -> [(Int, String, String)] {
        try inspect(path) {
            try $0.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").map {
                (try $0.get("version"), try $0.get("name"), try $0.get("applied_at"))
            }
        }
    }

    func tables(_ path: String) throws -> Set<String> {
        try inspect(path) {
            Set(try $0.query("SELECT name FROM sqlite_schema WHERE type = 'table'").map { try $0.get("name") })
        }
    }

    func databasePath() throws -> String {
        try temporaryDirectory().appendingPathComponent("nested/dir/m.sqlite").path
    }

    @Test func appliedInOrderAndRecorded() async throws {
        let path = try databasePath()
        try await open(path, [Self.m1, Self.m2, Self.m3])
        let rows = try applied(path)
        #expect(rows.map(\.0) == [1, 2, 3])
        #expect(rows.map(\.1) == ["create users", "create posts", "add email"])
        #expect(rows.allSatisfy { !$0.2.isEmpty })
        // m3 altered m1's table, so the order mattered.
        let database = try Database(path: path, migrations: [Self.m1, Self.m2, Self.m3])
        try await database.write { try $0.execute("INSERT INTO users (name, email) VALUES ('a', 'b')") }
        await database.close()
    }

    @Test func reopeningSkipsAppliedAndAppliesNewOnes() async throws {
        let path = try databasePath()
        try await open(path, [Self.m1, Self.m2])
        let first = try applied(path)
        try await open(path, [Self.m1, Self.m2])
        #expect(try applied(path).map(\.2) == first.map(\.2))
        try await open(path, [Self.m1, Self.m2, Self.m3])
        let rows = try applied(path)
        #expect(rows.map(\.0) == [1, 2, 3])
        #expect(Array(rows.prefix(2).map(\.2)) == first.map(\.2))
    }

    @Test func renamedAppliedMigrationIsAnError() async throws {
        let path = try databasePath()
        try await open(path, [Self.m1, Self.m2])
        let renamed = Migration(version: 2, name: "create articles", sql: Self.m2.sql)
        #expect(throws: StoreError.migration(.nameMismatch(version: 2, applied: "create posts", declared: "create articles"))) {
            _ = try Database(path: path, migrations: [Self.m1, renamed])
        }
    }

    @Test func outOfOrderOrDuplicateDeclarationsAreErrors() async throws {
        let path = try databasePath()
        #expect(throws: StoreError.migration(.outOfOrder(version: 1, previous: 2))) {
            _ = try Database(path: path, migrations: [Self.m2, Self.m1])
        }
        #expect(throws: StoreError.migration(.duplicateVersion(version: 1))) {
            _ = try Database(path: path, migrations: [Self.m1, Migration(version: 1, name: "again", sql: "SELECT 1")])
        }
        #expect(throws: StoreError.migration(.invalidVersion(version: 0, name: "zero"))) {
            _ = try Database(path: path, migrations: [Migration(version: 0, name: "zero", sql: "SELECT 1")])
        }
    }

    @Test func migrationInsertedIntoHistoryIsAnError() async throws {
        let path = try databasePath()
        try await open(path, [Self.m1, Self.m3])
        #expect(throws: StoreError.migration(.pendingBeforeApplied(version: 2, name: "create posts", applied: 3))) {
            _ = try Database(path: path, migrations: [Self.m1, Self.m2, Self.m3])
        }
    }

    @Test func unknownAppliedMigrationIsAnError() async throws {
        let path = try databasePath()
        try await open(path, [Self.m1, Self.m2])
        #expect(throws: StoreError.migration(.unknownApplied(version: 2, name: "create posts"))) {
            _ = try Database(path: path, migrations: [Self.m1])
        }
    }

    @Test func failingMigrationRollsBackAndNamesItself() async throws {
        let path = try databasePath()
        let bad = Migration(version: 2, name: "broken posts", sql: """
            CREATE TABLE posts (id INTEGER PRIMARY KEY);
            INSERT INTO no_such_table VALUES (1);
            """)
        let error = #expect(throws: StoreError.self) {
            _ = try Database(path: path, migrations: [Self.m1, bad])
        }
        guard case .migration(.failed(let version, let name, let underlying))? = error else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(version == 2)
        #expect(name == "broken posts")
        #expect("\(error!)".contains("broken posts"))
        guard case .sqlite(_, _, let message, _) = underlying else {
            Issue.record("unexpected underlying error \(underlying)")
            return
        }
        #expect(message.contains("no_such_table"))

        // The table created before the failing statement was rolled back with it.
        #expect(try applied(path).map(\.0) == [1])
        #expect(try tables(path) == ["users", "schema_migrations"])
    }

    @Test func transactionControlInsideAMigrationIsRefused() async throws {
        let path = try databasePath()
        let sneaky = Migration(version: 1, name: "commits early", sql: "CREATE TABLE a (x); COMMIT; CREATE TABLE b (x)")
        let error = #expect(throws: StoreError.self) {
            _ = try Database(path: path, migrations: [sneaky])
        }
        guard case .migration(.failed(1, "commits early", .misuse))? = error else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(try tables(path) == ["schema_migrations"])
    }

    @Test func foreignKeyViolationLeftByAMigrationFailsIt() async throws {
        let path = try databasePath()
        let orphan = Migration(version: 3, name: "orphan post", sql: "INSERT INTO posts (id, user_id) VALUES (1, 42)")
        let error = #expect(throws: StoreError.self) {
            _ = try Database(path: path, migrations: [Self.m1, Self.m2, orphan])
        }
        guard case .migration(.failed(3, "orphan post", .constraint))? = error else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        // Foreign keys are back on for normal use.
        let database = try Database(path: path, migrations: [Self.m1, Self.m2])
        await #expect(throws: StoreError.self) {
            try await database.write { try $0.execute("INSERT INTO posts (id, user_id) VALUES (1, 42)") }
        }
        await database.close()
    }
}
