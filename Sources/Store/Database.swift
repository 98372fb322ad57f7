import Foundation
import Logging

/// A SQLite database in WAL mode: one writer thread that group-commits, and a pool of reader
/// threads each reading a consistent snapshot.
public final class Database: Sendable {
    public struct Configuration: Sendable {
        public enum Synchronous: String, Sendable {
            /// Every commit is on disk before `write` returns: acknowledged means durable. The
            /// WAL is fdatasynced by a thread of its own (see `WALFlusher`) so the writer runs the
            /// next batch meanwhile; a read that may have seen a commit not yet synced is handed
            /// back once it is, so under write load a read can wait up to one sync.
            case full = "FULL"
            /// Survives a process crash but a power loss may drop the last commits.
            case normal = "NORMAL"
        }

        public var synchronous: Synchronous
        public var readerCount: Int
        /// Most writes committed by one COMMIT.
        public var maxBatchSize: Int
        /// How long to wait for a lock held by another process before failing with SQLITE_BUSY.
        public var busyTimeout: Duration
        /// Prepared statements kept per connection.
        public var statementCacheCapacity: Int
        /// WAL size, in pages, at which the background checkpointer copies the WAL back into
        /// the database file (on its own thread, never in the writer's way). 0: only `checkpoint()`
        /// and the last connection's close do.
        public var checkpointAfterWALPages: Int
        /// The writer's page cache. It holds the pages every write touches (the right edge of
        /// each table, each session's leaf of each index); with SQLite's default 2 MiB the
        /// writer read them back from the file over and over.
        public var writerCacheKiB: Int
        public var logger: Logger
        /// How the WAL is synced with `.full`: fdatasync, except in tests that hold or fail it.
        var syncWAL: @Sendable (Int32) -> Int32 = { fdatasync($0) }

        public init(
            synchronous: Synchronous = .full,
            readerCount: Int = 4,
            maxBatchSize: Int = 256,
            busyTimeout: Duration = .seconds(5),
            statementCacheCapacity: Int = 256,
            checkpointAfterWALPages: Int = 40_000,
            writerCacheKiB: Int = 64 * 1024,
            logger: Logger = Logger(label: "warden.store")
        ) {
            self.writerCacheKiB = writerCacheKiB
            self.checkpointAfterWALPages = checkpointAfterWALPages
            self.synchronous = synchronous
            self.readerCount = readerCount
            self.maxBatchSize = maxBatchSize
            self.busyTimeout = busyTimeout
            self.statementCacheCapacity = statementCacheCapacity
            self.logger = logger
        }
    }

    public let path: String
    private let writer: Writer
    private let readers: ReaderPool
    private let checkpointer: Checkpointer
    private let flusher: WALFlusher?
    private let stats: StatsRecorder

    /// Opens or creates the database at `path` (a file: each connection must see the same
    /// database) and applies pending migrations before returning.
    public init(path: String, configuration: Configuration = .init(), migrations: [Migration]) throws {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError.misuse("a database file path is required")
        }
        guard configuration.readerCount >= 1, configuration.maxBatchSize >= 1, configuration.writerCacheKiB >= 1 else {
            throw StoreError.misuse("readerCount, maxBatchSize and writerCacheKiB must be at least 1")
        }
        try FileSystem.createParentDirectory(of: path)

        let stats = StatsRecorder()
        let (seconds, attoseconds) = configuration.busyTimeout.components
        let timeout = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        func open(readOnly: Bool, gathersWALWrites: Bool = false) throws -> Connection {
            try Connection(path: path, readOnly: readOnly, busyTimeoutMilliseconds: timeout,
                           cacheCapacity: configuration.statementCacheCapacity,
                           gathersWALWrites: gathersWALWrites, stats: stats)
        }

        let writerConnection = try open(readOnly: false, gathersWALWrites: true)
        var checkpointConnection: Connection?
        var readerConnections: [Connection] = []
        do {
            let mode = try writerConnection.queryOne("PRAGMA journal_mode = WAL")?.string("journal_mode")
            guard mode?.lowercased() == "wal" else {
                throw StoreError.misuse("could not enable WAL journal mode (got \(mode ?? "nothing"))")
            }
            // The writer runs at FULL only so that every COMMIT ends in a WAL sync: there its VFS
            // writes the commit's frames out in one write, and syncs nothing (CWALBuffer.h). With
            // `.full` the flusher then syncs the WAL; checkpoints sync both files in either mode.
            try writerConnection.executeScript("PRAGMA synchronous = FULL")
            try writerConnection.executeScript("PRAGMA cache_size = -\(configuration.writerCacheKiB)")
            try Migrator(migrations: migrations, logger: configuration.logger).apply(on: writerConnection)
            try writerConnection.executeScript("PRAGMA foreign_keys = ON")
            FileSystem.syncParentDirectory(of: path)
            // Opened after the writer so the WAL and its shared memory already exist.
            checkpointConnection = try open(readOnly: false)
            // SQLite opens a connection's WAL on its first read; until then a checkpoint on it
            // does nothing and reports success.
            _ = try checkpointConnection?.queryOne("SELECT count(*) FROM sqlite_schema")
            // Its checkpoints sync the database file by this setting before the WAL can start over.
            try checkpointConnection?.executeScript("PRAGMA synchronous = NORMAL")
            for _ in 0..<configuration.readerCount {
                readerConnections.append(try open(readOnly: true))
            }
        } catch {
            writerConnection.close()
            checkpointConnection?.close()
            readerConnections.forEach { $0.close() }
            throw error
        }
        let flusher = configuration.synchronous == .full
            ? WALFlusher(walPath: path + "-wal", stats: stats, syncFile: configuration.syncWAL) : nil
        let writer = Writer(connection: writerConnection, maxBatch: configuration.maxBatchSize,
                            flusher: flusher, stats: stats, logger: configuration.logger)
        let checkpointer = Checkpointer(
            connection: checkpointConnection!, thresholdPages: configuration.checkpointAfterWALPages,
            stats: stats, logger: configuration.logger,
            onWriter: { job in try? writer.submitExclusive(job) })
        // The writer's first job, on its own thread; it also turns SQLite's auto-checkpoint off.
        try? writer.submitExclusive { connection in
            connection.onCommitToWAL { pages in
                stats.walCommitted(pages: pages)
                checkpointer.walDidGrow(toPages: pages)
            }
        }

        self.path = path
        self.stats = stats
        self.writer = writer
        self.readers = ReaderPool(connections: readerConnections)
        self.checkpointer = checkpointer
        self.flusher = flusher
    }

    deinit {
        // Threads drain what is queued and close their connections on their own.
        writer.close()
        readers.close()
        checkpointer.close()
    }

    // MARK: writing

    /// Runs `body` inside the writer's next group commit and returns once that commit succeeded.
    /// If `body` throws, only its changes are rolled back and only this caller sees the error.
    /// Once queued, the write runs even if the calling task is cancelled.
    ///
    /// `body` may run twice: when another write in its group throws after changing something,
    /// the group is rolled back and run again with a savepoint per write (`Writer.Isolation`).
    /// So `body` must have no effect outside the connection; defer such effects until `write`
    /// returns, as Core's `Transaction.onCommit` does.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try writer.submit(body) { continuation.resume(with: $0) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// `write` for synchronous callers such as CLI commands; blocks the calling thread.
    @available(*, noasync, message: "blocks the thread; use write(_:) in async code")
    @discardableResult
    public func writeSync<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) throws -> T {
        guard !writer.isCurrentThread else {
            throw StoreError.misuse("writeSync inside a write would wait for itself")
        }
        let waiter = SyncWaiter<T>()
        try writer.submit(body) { waiter.complete($0) }
        return try waiter.wait()
    }

    // MARK: reading

    /// Runs `body` on a read-only connection inside one deferred transaction: all its queries
    /// see the same committed snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try readers.submit(body) { result in
                    self.afterVisibleCommits(result) { continuation.resume(with: $0) }
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    @available(*, noasync, message: "blocks the thread; use read(_:) in async code")
    public func readSync<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) throws -> T {
        guard !readers.isCurrentThread else {
            throw StoreError.misuse("readSync inside a read can deadlock the reader pool")
        }
        let waiter = SyncWaiter<T>()
        try readers.submit(body) { result in self.afterVisibleCommits(result) { waiter.complete($0) } }
        return try waiter.wait()
    }

    /// Hands a read's result back once nothing it could have seen can still be lost.
    private func afterVisibleCommits<T>(
        _ result: Result<T, any Error>, _ deliver: @escaping @Sendable (Result<T, any Error>) -> Void
    ) where T: Sendable {
        guard let flusher else { return deliver(result) }
        flusher.afterVisibleCommits { error in deliver(error.map { .failure($0) } ?? result) }
    }

    // MARK: maintenance

    /// Runs `wal_checkpoint(TRUNCATE)` on the writer between batches, leaving an empty WAL.
    /// Throws SQLITE_BUSY if readers kept it from completing within the busy timeout.
    public func checkpoint() async throws {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try writer.submitExclusive { connection in
                    continuation.resume(with: Result { try connection.checkpoint(.truncate) }.map { _ in })
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Readiness check: the store accepts writes and a reader answers.
    public func ping() async throws {
        guard !writer.isClosed else { throw StoreError.closed }
        _ = try await read { try $0.queryOne("SELECT 1") }
    }

    public var isClosed: Bool { writer.isClosed }

    public var statistics: Statistics {
        var snapshot = stats.snapshot
        snapshot.pendingWrites = writer.pendingCount
        return snapshot
    }

    /// Stops accepting work, lets queued writes commit and queued reads finish, then closes every
    /// connection. Later calls throw `.closed`. Safe to call more than once.
    public func close() async {
        writer.close()
        readers.close()
        checkpointer.close()
        await writer.waitUntilFinished()
        await readers.waitUntilFinished()
        await checkpointer.waitUntilFinished()
    }

    @available(*, noasync, message: "blocks the thread; use close() in async code")
    public func closeSync() {
        writer.close()
        readers.close()
        checkpointer.close()
        // From inside a write or read the drain would wait for the caller itself.
        guard !writer.isCurrentThread, !readers.isCurrentThread else { return }
        writer.waitUntilFinishedSync()
        readers.waitUntilFinishedSync()
        checkpointer.waitUntilFinishedSync()
    }
}

/// Blocks a synchronous caller until a writer or reader thread hands back the result.
private final class SyncWaiter<T: Sendable>: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let result = Locked<Result<T, any Error>?>(nil)

    func complete(_ value: Result<T, any Error>) {
        result.withLock { $0 = value }
        semaphore.signal()
    }

    func wait() throws -> T {
        semaphore.wait()
        return try result.withLock { $0! }.get()
    }
}
