import CSQLite
import Foundation
import Testing
@testable import Store

@Suite struct ConnectionTests {
    @Test func sameSQLIsPreparedOnce() async throws {
        try await withDatabase { database, _ in
            let sql = "INSERT INTO items (n) VALUES (?)"
            let (prepared, cached) = try await database.write { connection in
                let before = connection.statementsPrepared
                for i in 0..<100 { try connection.execute(sql, [.integer(Int64(i))]) }
                return (connection.statementsPrepared - before, connection.cachedStatementCount)
            }
            #expect(prepared == 1)
            #expect(cached >= 1)
            // Later writes reuse it (and the writer's own SAVEPOINT/COMMIT statements) too.
            let before = database.statistics.statementsPrepared
            try await database.write { try $0.execute(sql, [.integer(1000)]) }
            #expect(database.statistics.statementsPrepared == before)
            #expect(try await count(database) == 101)
        }
    }

    /// Memory statistics would put a global mutex around every SQLite allocation; with them off,
    /// SQLite keeps no count, so the figure stays zero however much it allocates.
    @Test func sqliteKeepsNoMemoryStatistics() async throws {
        try await withDatabase { database, _ in
            try await database.write { connection in
                for i in 0..<200 { try connection.execute("INSERT INTO items (n, label) VALUES (?, ?)", [.integer(Int64(i)), .text(String(repeating: "x", count: 500))]) }
            }
            _ = try await count(database)
            #expect(sqlite3_memory_used() == 0)
        }
    }

    /// Column names are cached per prepared statement; a cached `SELECT *` still sees a column
    /// added after it was first run.
    @Test func aCachedStatementSeesColumnsAddedLater() async throws {
        try await withDatabase { database, _ in
            let sql = "SELECT * FROM items WHERE n = ?"
            try await database.write { try $0.execute("INSERT INTO items (n, label) VALUES (1, 'one')") }
            let before = try await database.write { try $0.queryOne(sql, [1])?.columnNames }
            #expect(before == ["id", "n", "label"])
            try await database.write { try $0.execute("ALTER TABLE items ADD COLUMN note TEXT DEFAULT 'x'") }
            let after = try await database.write { connection -> (names: [String]?, note: String?) in
                let row = try connection.queryOne(sql, [1])
                return (row?.columnNames, try row?.get("note"))
            }
            #expect(after.names == ["id", "n", "label", "note"])
            #expect(after.note == "x")
        }
    }

    @Test func valuesRoundTrip() async throws {
        let table = Migration(version: 1, name: "values", sql: "CREATE TABLE v (id INTEGER PRIMARY KEY, x)")
        try await withDatabase(migrations: [table]) { database, _ in
            let values: [SQLValue] = [
                .null, 0, .integer(.max), .integer(.min), 1.5, .real(-0.25), "", "héllo ✓",
                .text("nul\u{0}inside"), .blob([]), .blob([0, 1, 2, 255]), true,
            ]
            let ids = try await database.write { connection in
                try values.map { value in
                    try connection.execute("INSERT INTO v (x) VALUES (?)", [value])
                    return connection.lastInsertRowID
                }
            }
            let read = try await database.read { connection in
                try ids.map { try connection.queryOne("SELECT x FROM v WHERE id = ?", [.integer($0)])![0] }
            }
            #expect(read == values)
        }
    }

    @Test func rowAccessors() async throws {
        try await withDatabase { database, _ in
            try await database.write { try $0.execute("INSERT INTO items (n, label) VALUES (3, NULL)") }
            let row = try #require(try await database.read { try $0.queryOne("SELECT id, n, label FROM items") })
            #expect(row.columnNames == ["id", "n", "label"])
            #expect(try row.get("n", as: Int.self) == 3)
            #expect(try row.get("N", as: Int64.self) == 3)
            #expect(try row.get(at: 1, as: Double.self) == 3.0)
            #expect(try row.get("label", as: String?.self) == nil)
            #expect(row["label"] == .null)
            #expect(row["missing"] == nil)
            #expect(row.string("n") == nil)
            #expect(throws: StoreError.decoding(column: "label", expected: "String", found: "null")) {
                try row.get("label", as: String.self)
            }
            #expect(throws: StoreError.decoding(column: "n", expected: "String", found: "integer")) {
                try row.get("n", as: String.self)
            }
        }
    }

    @Test func columnNamesMatchIgnoringCaseAndTheFirstDuplicateWins() async throws {
        try await withDatabase { database, _ in
            let row = try #require(try await database.read {
                try $0.queryOne("SELECT 1 AS Total, 2 AS total, 3 AS other")
            })
            #expect(try row.get("total", as: Int.self) == 1)
            #expect(try row.get("TOTAL", as: Int.self) == 1)
            #expect(try row.get("Other", as: Int.self) == 3)
            #expect(row["tota"] == nil)
        }
    }

    @Test func misuseIsReportedWithoutValues() async throws {
        try await withDatabase { database, _ in
            await #expect(throws: StoreError.misuse("statement expects 1 bindings, got 2: INSERT INTO items (n) VALUES (?)")) {
                try await database.write { try $0.execute("INSERT INTO items (n) VALUES (?)", [1, "secret"]) }
            }
            let multiple = await #expect(throws: StoreError.self) {
                try await database.write { try $0.execute("INSERT INTO items (n) VALUES (1); INSERT INTO items (n) VALUES (2)") }
            }
            guard case .misuse? = multiple else {
                Issue.record("unexpected error \(String(describing: multiple))")
                return
            }
            // Trailing comments and semicolons are not a second statement.
            try await database.write { try $0.execute("INSERT INTO items (n) VALUES (1); -- one row") }
            let syntax = await #expect(throws: StoreError.self) {
                try await database.read { try $0.query("SELEKT 1") }
            }
            guard case .sqlite(1, _, _, "SELEKT 1")? = syntax else {
                Issue.record("unexpected error \(String(describing: syntax))")
                return
            }
            #expect(try await count(database) == 1)
        }
    }

    @Test func executeReturnsChangedRows() async throws {
        try await withDatabase { database, _ in
            let changes = try await database.write { connection in
                try connection.executeScript("INSERT INTO items (n) VALUES (1); INSERT INTO items (n) VALUES (2); INSERT INTO items (n) VALUES (3)")
                return (try connection.execute("UPDATE items SET label = 'x' WHERE n > 1"),
                        try connection.execute("SELECT * FROM items"))
            }
            #expect(changes.0 == 2)
            #expect(changes.1 == 0)
        }
    }

    @Test func foreignKeysAreEnforced() async throws {
        let schema = Migration(version: 1, name: "fk", sql: """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));
            """)
        try await withDatabase(migrations: [schema]) { database, _ in
            let error = await #expect(throws: StoreError.self) {
                try await database.write { try $0.execute("INSERT INTO child (parent_id) VALUES (1)") }
            }
            #expect(error?.constraintKind == .foreignKey)
        }
    }
}
