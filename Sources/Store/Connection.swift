import CSQLite
import CWALBuffer

/// Process-wide SQLite settings, applied once before the first connection opens.
private let sqliteConfigured: Int32 = {
    _ = csqlite_disable_memory_statistics()
    return walbuffer_register()
}()

/// One SQLite connection. It is confined to the thread that runs the closure it is passed to,
/// so it is deliberately not Sendable: use it only inside `Database.read`/`write` closures.
public final class Connection {
    let handle: OpaquePointer
    let readOnly: Bool
    private var cache: [String: Statement] = [:]
    // The store's own BEGIN/SAVEPOINT/COMMIT live apart so user SQL can never hit an
    // authorized-while-internal statement through the cache.
    private var internalCache: [String: Statement] = [:]
    private let cacheCapacity: Int
    private let stats: StatsRecorder
    private let authorizer = AuthorizerState()
    private var closed = false
    private var walHook: WALHook?

    /// Statements this connection has compiled; a cache hit does not count.
    public private(set) var statementsPrepared = 0
    public var cachedStatementCount: Int { cache.count }

    /// `gathersWALWrites`: open through the CWALBuffer VFS, which writes a commit's WAL frames
    /// out in one write at the commit's sync and does not fdatasync there (see CWALBuffer.h);
    /// the connection must then run at synchronous=FULL.
    init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int32, cacheCapacity: Int,
         gathersWALWrites: Bool = false, stats: StatsRecorder) throws {
        guard sqliteConfigured == SQLITE_OK || !gathersWALWrites else {
            throw StoreError.from(sqliteConfigured, db: nil, sql: nil)
        }
        var db: OpaquePointer?
        // NOMUTEX: each connection is used by one thread at a time, so SQLite's own locking is waste.
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, gathersWALWrites ? WALBUFFER_VFS_NAME : nil)
        guard rc == SQLITE_OK, let db else {
            let error = StoreError.from(rc, db: db, sql: nil)
            sqlite3_close_v2(db)
            throw error
        }
        self.handle = db
        self.readOnly = readOnly
        self.cacheCapacity = max(cacheCapacity, 1)
        self.stats = stats
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // Transactions belong to the store (a batch of writes shares one); a caller's BEGIN, COMMIT
        // or SAVEPOINT would break that, so they are refused when compiled outside internal use.
        sqlite3_set_authorizer(db, { context, action, _, _, _, _ in
            guard action == SQLITE_TRANSACTION || action == SQLITE_SAVEPOINT, let context else { return SQLITE_OK }
            let state = Unmanaged<AuthorizerState>.fromOpaque(context).takeUnretainedValue()
            return state.allowsTransactionControl ? SQLITE_OK : SQLITE_DENY
        }, Unmanaged.passUnretained(authorizer).toOpaque())
        // A batch runs each write in its own SAVEPOINT; SQLite keeps the pages a savepoint may
        // have to restore in a statement journal, which spilled to a temp file (create, write,
        // unlink) once it passed 64 KiB. In memory it costs neither syscalls nor disk.
        try executeScript("PRAGMA temp_store = MEMORY")
    }

    deinit { close() }

    // MARK: public API

    /// Runs one statement to completion; returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int {
        let statement = try statementToRun(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        while try statement.step() {}
        return statement.isReadOnly ? 0 : Int(sqlite3_changes64(handle))
    }

    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws -> [Row] {
        let statement = try statementToRun(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        var rows: [Row] = []
        var layout: RowLayout?
        while try statement.step() {
            // Taken after the first step: a schema change can re-prepare the statement during it.
            let l = layout ?? statement.layout()
            layout = l
            rows.append(statement.currentRow(l))
        }
        return rows
    }

    /// The first row, or nil. Stops stepping after it.
    public func queryOne(_ sql: String, _ bindings: [SQLValue] = []) throws -> Row? {
        let statement = try statementToRun(sql)
        defer { statement.reset() }
        try statement.bind(bindings)
        guard try statement.step() else { return nil }
        return statement.currentRow(statement.layout())
    }

    /// Runs several statements separated by semicolons, without bindings and without caching.
    public func executeScript(_ sql: String) throws {
        uncountedChanges += 1
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        if rc != SQLITE_OK { throw error(rc, sql: nil) }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    // MARK: internal

    var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// Statements run that may have changed the database without SQLite counting a changed row.
    private var uncountedChanges = 0

    /// Differs between two points exactly when the connection may have changed the database in
    /// between: rows changed (`sqlite3_total_changes64`), or a statement run whose changes SQLite
    /// does not count (`Statement.changesUncounted`, any script).
    struct ChangeMark: Equatable {
        let rows: Int64
        let uncounted: Int
    }

    var changeMark: ChangeMark { ChangeMark(rows: sqlite3_total_changes64(handle), uncounted: uncountedChanges) }

    /// Runs the store's own transaction control statements, which user SQL may not issue.
    func executeInternal(_ sql: String) throws {
        authorizer.allowsTransactionControl = true
        defer { authorizer.allowsTransactionControl = false }
        let statement: Statement
        if let cached = internalCache[sql] {
            statement = cached
        } else {
            statement = try prepare(sql)
            internalCache[sql] = statement
        }
        defer { statement.reset() }
        while try statement.step() {}
    }

    enum CheckpointMode {
        /// Copies what no reader still needs, without waiting for any lock.
        case passive
        /// Waits for readers and writers, copies everything and truncates the WAL to zero bytes.
        case truncate
    }

    struct CheckpointProgress {
        var walPages: Int
        var copiedPages: Int
        var isComplete: Bool { copiedPages >= walPages }
    }

    /// Copies the WAL into the database file.
    @discardableResult
    func checkpoint(_ mode: CheckpointMode) throws -> CheckpointProgress {
        let (code, name) = switch mode {
        case .passive: (SQLITE_CHECKPOINT_PASSIVE, "PASSIVE")
        case .truncate: (SQLITE_CHECKPOINT_TRUNCATE, "TRUNCATE")
        }
        var walPages: Int32 = 0
        var copiedPages: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, code, &walPages, &copiedPages)
        if rc != SQLITE_OK { throw error(rc, sql: "PRAGMA wal_checkpoint(\(name))") }
        return CheckpointProgress(walPages: Int(walPages), copiedPages: Int(copiedPages))
    }

    /// What the CWALBuffer VFS has done with this connection's WAL; nil unless the connection
    /// gathers its WAL writes and has the WAL open.
    var walBufferStatistics: walbuffer_stats? {
        var stats = walbuffer_stats()
        return walbuffer_stats_for(handle, &stats) == 1 ? stats : nil
    }

    /// Calls `hook` after each commit with the WAL's size in pages. It replaces SQLite's own
    /// auto-checkpoint, which this connection then no longer runs.
    func onCommitToWAL(_ hook: @escaping (Int) -> Void) {
        let box = WALHook(hook)
        walHook = box
        sqlite3_wal_hook(handle, { context, _, _, pages in
            Unmanaged<WALHook>.fromOpaque(context!).takeUnretainedValue().call(Int(pages))
            return SQLITE_OK
        }, Unmanaged.passUnretained(box).toOpaque())
    }

    func close() {
        guard !closed else { return }
        closed = true
        for statement in cache.values { statement.finalize() }
        for statement in internalCache.values { statement.finalize() }
        cache.removeAll()
        internalCache.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, sql: String?) -> StoreError {
        if rc & 0xFF == SQLITE_AUTH && !authorizer.allowsTransactionControl {
            return .misuse("transactions are managed by the store; BEGIN, COMMIT and SAVEPOINT are refused"
                + (sql.map { ": \($0)" } ?? ""))
        }
        return StoreError.from(rc, db: handle, sql: sql)
    }

    /// The cached statement for `sql`, noted when it may change the database uncounted (`changeMark`).
    private func statementToRun(_ sql: String) throws -> Statement {
        let statement = try cachedStatement(sql)
        if statement.changesUncounted { uncountedChanges += 1 }
        return statement
    }

    private func cachedStatement(_ sql: String) throws -> Statement {
        if let cached = cache[sql] { return cached }
        let statement = try prepare(sql)
        if cache.count >= cacheCapacity {
            // Callers that build SQL dynamically would otherwise grow the cache without bound.
            for s in cache.values { s.finalize() }
            cache.removeAll(keepingCapacity: true)
        }
        cache[sql] = statement
        return statement
    }

    private func prepare(_ sql: String) throws -> Statement {
        var raw: OpaquePointer?
        var multiple = false
        let rc: Int32 = sql.withCString { cString in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(handle, cString, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, &tail)
            guard rc == SQLITE_OK, let tail, tail.pointee != 0 else { return rc }
            // Trailing whitespace or comments compile to nothing; anything else would be silently ignored.
            var next: OpaquePointer?
            if sqlite3_prepare_v2(handle, tail, -1, &next, nil) != SQLITE_OK || next != nil {
                multiple = true
            }
            sqlite3_finalize(next)
            return rc
        }
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
        guard let raw else { throw StoreError.misuse("empty SQL statement") }
        if multiple {
            sqlite3_finalize(raw)
            throw StoreError.misuse("several statements in one call; use executeScript: \(sql)")
        }
        statementsPrepared += 1
        stats.statementPrepared()
        return Statement(handle: raw, sql: sql, connection: self)
    }
}

@available(*, unavailable)
extension Connection: Sendable {}

/// Read by the authorizer callback, which SQLite calls on the connection's own thread.
private final class AuthorizerState {
    var allowsTransactionControl = false
}

/// Keeps the WAL hook's closure alive for as long as SQLite may call it.
private final class WALHook {
    let call: (Int) -> Void
    init(_ call: @escaping (Int) -> Void) { self.call = call }
}
