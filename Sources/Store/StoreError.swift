import CSQLite
import Foundation

/// Errors raised by the store. None of them carries a bound value: bindings may hold secrets.
public enum StoreError: Error, Sendable, Equatable {
    /// Any SQLite failure other than a constraint violation. `code` is the primary result code.
    case sqlite(code: Int32, extendedCode: Int32, message: String, sql: String?)
    /// SQLITE_CONSTRAINT (unique, foreign key, check, not null…): a conflict with existing data.
    case constraint(extendedCode: Int32, message: String, sql: String?)
    case migration(MigrationError)
    /// The database was closed; no further reads or writes are accepted.
    case closed
    /// A row value could not be read as the requested Swift type.
    case decoding(column: String, expected: String, found: String)
    /// The store was used in a way that cannot work (wrong binding count, deadlocking call…).
    case misuse(String)
    /// fdatasync of the WAL failed. Writes are refused from then on: after a failed sync the
    /// kernel may have dropped the pages, so no later sync could promise them durable.
    case walSyncFailed(path: String, errno: Int32)

    /// Builds the error for a failed SQLite call from the connection's error state.
    static func from(_ rc: Int32, db: OpaquePointer?, sql: String?) -> StoreError {
        let primary = rc & 0xFF
        // Extended codes are enabled on every connection, but keep the primary if they weren't.
        let extended = db.map { sqlite3_extended_errcode($0) } ?? rc
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(rc))
        if primary == SQLITE_CONSTRAINT {
            return .constraint(extendedCode: extended, message: message, sql: sql)
        }
        return .sqlite(code: primary, extendedCode: extended, message: message, sql: sql)
    }

    /// What brought the failure about, for callers deciding whether a retry can help.
    public enum Cause: Sendable, Equatable {
        /// Another connection or process holds the lock past the busy timeout.
        case busy
        /// The disk (or the database's size limit) is full.
        case full
        /// The file system failed a read or write, or the file cannot be opened or written.
        case io
        /// A WAL sync failed: nothing written since can be promised durable (`walSyncFailed`).
        case syncFailed
        /// The store is closed (shutting down).
        case closed
        /// Only a bug or a damaged database can cause it: constraint, decoding, misuse,
        /// migration, corruption and the remaining SQLite codes.
        case defect
    }

    public var cause: Cause {
        switch self {
        case .sqlite(let code, _, _, _):
            switch code {
            case SQLITE_BUSY, SQLITE_LOCKED: return .busy
            case SQLITE_FULL: return .full
            case SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_NOMEM, SQLITE_PROTOCOL: return .io
            default: return .defect
            }
        case .walSyncFailed: return .syncFailed
        case .closed: return .closed
        case .constraint, .migration, .decoding, .misuse: return .defect
        }
    }

    /// The kind of constraint that failed, for callers mapping conflicts to HTTP statuses.
    public var constraintKind: ConstraintKind? {
        guard case .constraint(let extended, _, _) = self else { return nil }
        return ConstraintKind(extendedCode: extended)
    }
}

public enum ConstraintKind: Sendable, Equatable {
    case unique, primaryKey, foreignKey, notNull, check, other

    init(extendedCode: Int32) {
        switch extendedCode {
        case 2067: self = .unique          // SQLITE_CONSTRAINT_UNIQUE
        case 1555: self = .primaryKey      // SQLITE_CONSTRAINT_PRIMARYKEY
        case 787: self = .foreignKey       // SQLITE_CONSTRAINT_FOREIGNKEY
        case 1299: self = .notNull         // SQLITE_CONSTRAINT_NOTNULL
        case 275: self = .check            // SQLITE_CONSTRAINT_CHECK
        default: self = .other
        }
    }
}

/// Why the migrations could not be applied. Each case names the migration concerned.
public indirect enum MigrationError: Error, Sendable, Equatable {
    case invalidVersion(version: Int, name: String)
    case duplicateVersion(version: Int)
    /// The declared list is not in strictly increasing version order.
    case outOfOrder(version: Int, previous: Int)
    /// The database recorded `applied` for this version, the code now calls it `declared`.
    case nameMismatch(version: Int, applied: String, declared: String)
    /// The database has a migration this binary does not know: it was written by a newer build.
    case unknownApplied(version: Int, name: String)
    /// A pending migration is older than one already applied: it was inserted into history.
    case pendingBeforeApplied(version: Int, name: String, applied: Int)
    /// The migration's SQL failed; its transaction was rolled back.
    case failed(version: Int, name: String, underlying: StoreError)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .sqlite(let code, let extended, let message, let sql):
            return "SQLite error \(code) (\(extended)): \(message)" + (sql.map { " in `\($0)`" } ?? "")
        case .constraint(let extended, let message, let sql):
            return "constraint violation (\(extended)): \(message)" + (sql.map { " in `\($0)`" } ?? "")
        case .migration(let error):
            return error.description
        case .closed:
            return "database is closed"
        case .decoding(let column, let expected, let found):
            return "column \(column): expected \(expected), found \(found)"
        case .misuse(let message):
            return "store misuse: \(message)"
        case .walSyncFailed(let path, let code):
            return "could not sync \(path) to disk (\(String(cString: strerror(code)))); writes are refused until "
                + "warden is restarted; check the disk first"
        }
    }
}

extension MigrationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidVersion(let v, let name):
            return "migration \(v) '\(name)': versions must be positive and names non-empty"
        case .duplicateVersion(let v):
            return "migration version \(v) is declared more than once"
        case .outOfOrder(let v, let previous):
            return "migration \(v) is declared after \(previous): versions must increase"
        case .nameMismatch(let v, let applied, let declared):
            return "migration \(v) was applied as '\(applied)' but is now named '\(declared)'"
        case .unknownApplied(let v, let name):
            return "migration \(v) '\(name)' is applied in the database but unknown to this build"
        case .pendingBeforeApplied(let v, let name, let applied):
            return "migration \(v) '\(name)' is pending but later migration \(applied) is already applied"
        case .failed(let v, let name, let underlying):
            return "migration \(v) '\(name)' failed and was rolled back: \(underlying)"
        }
    }
}
