import CSQLite

/// A prepared statement owned by one connection and reused through its cache.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    private unowned let connection: Connection
    private let parameterCount: Int32

    /// Can change the database without SQLite counting changed rows: DDL, a PRAGMA that sets
    /// something, anything but INSERT, UPDATE, DELETE, REPLACE and queries.
    let changesUncounted: Bool

    init(handle: OpaquePointer, sql: String, connection: Connection) {
        self.handle = handle
        self.sql = sql
        self.connection = connection
        self.parameterCount = sqlite3_bind_parameter_count(handle)
        self.changesUncounted = sqlite3_stmt_readonly(handle) == 0 && !Self.changesOnlyRows(sql)
    }

    private static func changesOnlyRows(_ sql: String) -> Bool {
        let keyword = sql.drop { $0.isWhitespace }.prefix { $0.isLetter }.uppercased()
        return ["INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "SELECT", "VALUES"].contains(keyword)
    }

    func finalize() {
        sqlite3_finalize(handle)
    }

    var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    func bind(_ values: [SQLValue]) throws {
        guard values.count == Int(parameterCount) else {
            throw StoreError.misuse("statement expects \(parameterCount) bindings, got \(values.count): \(sql)")
        }
        for (offset, value) in values.enumerated() {
            let i = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(handle, i)
            case .integer(let v):
                rc = sqlite3_bind_int64(handle, i, v)
            case .real(let v):
                rc = sqlite3_bind_double(handle, i, v)
            case .text(let v):
                var s = v
                rc = s.withUTF8 { buf in
                    // An empty buffer may have no base address, which SQLite would bind as NULL.
                    guard let base = buf.baseAddress, buf.count > 0 else {
                        return sqlite3_bind_text(handle, i, "", 0, csqlite_transient())
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                        sqlite3_bind_text64(handle, i, $0, UInt64(buf.count), csqlite_transient(), UInt8(SQLITE_UTF8))
                    }
                }
            case .blob(let v):
                rc = v.withUnsafeBytes { buf in
                    guard let base = buf.baseAddress, buf.count > 0 else {
                        return sqlite3_bind_zeroblob(handle, i, 0)
                    }
                    return sqlite3_bind_blob64(handle, i, base, UInt64(buf.count), csqlite_transient())
                }
            }
            if rc != SQLITE_OK { throw connection.error(rc, sql: sql) }
        }
    }

    /// Returns to the initial state and drops bindings, so no value lingers and no read lock is held.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Advances one row; true when a row is available.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.error(rc, sql: sql)
        }
    }

    /// Column names are read once per prepared statement: building them (a String and a
    /// lowercased dictionary key per column) on every query showed up on the writer's profile.
    /// SQLite re-prepares a statement after a schema change; a changed column count rebuilds it.
    private var cachedLayout: RowLayout?

    func layout() -> RowLayout {
        let count = sqlite3_column_count(handle)
        if let cachedLayout, cachedLayout.names.count == Int(count) { return cachedLayout }
        let layout = makeLayout(count)
        cachedLayout = layout
        return layout
    }

    private func makeLayout(_ count: Int32) -> RowLayout {
        var names: [String] = []
        names.reserveCapacity(Int(count))
        for i in 0..<count {
            names.append(sqlite3_column_name(handle, i).map { String(cString: $0) } ?? "")
        }
        return RowLayout(names: names)
    }

    func currentRow(_ layout: RowLayout) -> Row {
        let count = Int32(layout.names.count)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for i in 0..<count {
            values.append(column(i))
        }
        return Row(layout: layout, values: values)
    }

    private func column(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, i))
        case SQLITE_TEXT:
            // Fetch the pointer before the length: that order avoids a second conversion.
            guard let p = sqlite3_column_text(handle, i) else { return .text("") }
            let n = Int(sqlite3_column_bytes(handle, i))
            return .text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        case SQLITE_BLOB:
            let p = sqlite3_column_blob(handle, i)
            let n = Int(sqlite3_column_bytes(handle, i))
            guard let p, n > 0 else { return .blob([]) }
            return .blob([UInt8](UnsafeRawBufferPointer(start: p, count: n)))
        default:
            return .null
        }
    }
}
