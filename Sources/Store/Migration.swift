import CSQLite
import Logging

/// One schema change. Versions only grow; an applied migration is never edited or renamed,
/// a new one is added instead.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    /// One or more statements. BEGIN/COMMIT are refused: each migration gets its own transaction.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies pending migrations at start-up, before any reader or writer thread exists.
struct Migrator {
    let migrations: [Migration]
    let logger: Logger

    func apply(on connection: Connection) throws {
        try validate()
        try connection.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        let applied = try appliedMigrations(connection)
        let declared = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, name) in applied {
            guard let migration = declared[version] else {
                throw StoreError.migration(.unknownApplied(version: version, name: name))
            }
            if migration.name != name {
                throw StoreError.migration(.nameMismatch(version: version, applied: name, declared: migration.name))
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let pending = migrations.filter { !appliedVersions.contains($0.version) }
        if let latest = applied.last?.version, let early = pending.first(where: { $0.version < latest }) {
            throw StoreError.migration(.pendingBeforeApplied(version: early.version, name: early.name, applied: latest))
        }
        guard !pending.isEmpty else { return }

        // Table rebuilds (create, copy, drop, rename) would fire ON DELETE actions with foreign keys
        // on; SQLite's advice is to turn them off and run foreign_key_check before committing.
        // The pragma is a no-op inside a transaction, hence here.
        try connection.executeScript("PRAGMA foreign_keys = OFF")
        defer { try? connection.executeScript("PRAGMA foreign_keys = ON") }
        for migration in pending {
            try apply(migration, on: connection)
        }
    }

    private func validate() throws {
        var previous: Int?
        var seen = Set<Int>()
        for migration in migrations {
            guard migration.version > 0, !migration.name.isEmpty else {
                throw StoreError.migration(.invalidVersion(version: migration.version, name: migration.name))
            }
            guard seen.insert(migration.version).inserted else {
                throw StoreError.migration(.duplicateVersion(version: migration.version))
            }
            if let previous, migration.version < previous {
                throw StoreError.migration(.outOfOrder(version: migration.version, previous: previous))
            }
            previous = migration.version
        }
    }

    private func appliedMigrations(_ connection: Connection) throws -> [(version: Int, name: String)] {
        try connection.query("SELECT version, name FROM schema_migrations ORDER BY version").map {
            (try $0.get("version", as: Int.self), try $0.get("name", as: String.self))
        }
    }

    private func apply(_ migration: Migration, on connection: Connection) throws {
        do {
            try connection.executeInternal("BEGIN IMMEDIATE")
            // Another process may have applied it between our check and taking the write lock.
            if let row = try connection.queryOne("SELECT name FROM schema_migrations WHERE version = ?",
                                                 [.integer(Int64(migration.version))]) {
                try connection.executeInternal("ROLLBACK")
                let name = try row.get("name", as: String.self)
                if name != migration.name {
                    throw StoreError.migration(.nameMismatch(version: migration.version, applied: name, declared: migration.name))
                }
                return
            }
            try connection.executeScript(migration.sql)
            if let violation = try connection.queryOne("PRAGMA foreign_key_check") {
                let table = violation.string("table") ?? "?"
                throw StoreError.constraint(extendedCode: 787, message: "foreign key violation in table \(table)", sql: nil)
            }
            try connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                [.integer(Int64(migration.version)), .text(migration.name)])
            try connection.executeInternal("COMMIT")
            logger.info("store: applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        } catch {
            if !connection.isAutocommit { try? connection.executeInternal("ROLLBACK") }
            let storeError = error as? StoreError ?? .misuse("\(error)")
            if case .migration = storeError { throw storeError }
            throw StoreError.migration(.failed(version: migration.version, name: migration.name, underlying: storeError))
        }
    }
}
