import CSQLite
import Foundation
import Logging

/// The single writer: one thread owning the read-write connection. It commits queued writes in
/// groups (one BEGIN IMMEDIATE … COMMIT; a SAVEPOINT per write only once a write has thrown
/// after changing something, see `Isolation`) so that one fsync covers many writes, and it
/// resumes callers only after that COMMIT has succeeded and, with a flusher, once the flusher
/// has synced it.
final class Writer: Sendable {
    enum Job: Sendable {
        case write(WriteJob)
        /// Runs alone and outside any transaction, e.g. a checkpoint.
        case exclusive(@Sendable (Connection) -> Void)

        var isWrite: Bool {
            if case .write = self { return true }
            return false
        }
    }

    struct WriteJob: Sendable {
        /// Runs the caller's body; the outcome's `finish` is called once the batch's fate is known.
        let execute: @Sendable (Connection) -> WriteOutcome
        /// Fails the caller without running the body.
        let abandon: @Sendable (any Error) -> Void
    }

    struct WriteOutcome {
        let error: (any Error)?
        /// Receives the commit error, or nil when the commit succeeded.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private let queue = WorkQueue<Job>()
    private let maxBatch: Int
    private let stats: StatsRecorder
    private let logger: Logger
    private let finished: Latch
    private let thread = Locked<pthread_t?>(nil)
    /// Syncs commits off this thread (synchronous=FULL); nil when a commit is acknowledged as
    /// soon as SQLite returns from it.
    private let flusher: WALFlusher?

    init(connection: Connection, maxBatch: Int, flusher: WALFlusher?, stats: StatsRecorder, logger: Logger) {
        self.flusher = flusher
        self.maxBatch = maxBatch
        self.stats = stats
        self.logger = logger
        self.finished = Latch(count: 1)
        let handoff = Handoff(value: connection)
        // The thread holds the writer until the queue is closed and drained.
        let worker = Thread { [self] in
            Thread.current.name = "store-writer" // applied on Linux only from the thread itself
            self.run(handoff.value)
        }
        worker.start()
    }

    var isClosed: Bool { queue.isClosed }
    var pendingCount: Int { queue.count }

    var isCurrentThread: Bool {
        thread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    func submit<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws -> T,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) throws {
        let job = WriteJob(
            execute: { connection in
                do {
                    let value = try body(connection)
                    return WriteOutcome(error: nil) { commitError in
                        completion(commitError.map { .failure($0) } ?? .success(value))
                    }
                } catch {
                    return WriteOutcome(error: error) { _ in completion(.failure(error)) }
                }
            },
            abandon: { completion(.failure($0)) })
        try queue.push(.write(job))
    }

    func submitExclusive(_ body: @escaping @Sendable (Connection) -> Void) throws {
        try queue.push(.exclusive(body))
    }

    /// Refuses new jobs; the ones already queued still run.
    func close() { queue.close() }

    func waitUntilFinished() async { await finished.wait() }

    func waitUntilFinishedSync() { finished.wait() }

    private func run(_ connection: Connection) {
        thread.withLock { $0 = pthread_self() }
        while let jobs = queue.popBatch(max: maxBatch, canGroup: { $0.isWrite }) {
            var writes: [WriteJob] = []
            writes.reserveCapacity(jobs.count)
            for job in jobs {
                switch job {
                case .write(let write): writes.append(write)
                case .exclusive(let body): body(connection)
                }
            }
            if !writes.isEmpty { runBatch(writes, on: connection) }
        }
        flusher?.closeAndWait()
        connection.close()
        finished.countDown()
    }

    /// How a batch keeps one write's failure from undoing the others'.
    private enum Isolation {
        /// No savepoints. A write that throws before changing anything leaves nothing to undo;
        /// one that throws after changing something cannot be undone alone, so the batch is
        /// rolled back and run again, from that write's batch-mates not yet answered, with
        /// `.savepointPerWrite`. A savepoint costs SQLite a copy of every page a write touches
        /// (its sub-journal, allocated in 1 KiB chunks) and the statements' own sub-savepoints;
        /// most writes do not throw.
        case optimistic
        /// Each write in its own SAVEPOINT, rolled back to it if the write throws.
        case savepointPerWrite
    }

    private func runBatch(_ batch: [WriteJob], on connection: Connection) {
        if let failure = flusher?.failure {
            for job in batch { job.abandon(failure) }
            return
        }
        if let rest = runBatch(batch[...], isolation: .optimistic, on: connection) {
            _ = runBatch(rest, isolation: .savepointPerWrite, on: connection)
        }
    }

    /// Runs and commits `batch`, and answers every caller in it, or, optimistic, rolls back and
    /// returns the writes that must run again (none of them answered yet).
    private func runBatch(
        _ batch: ArraySlice<WriteJob>, isolation: Isolation, on connection: Connection
    ) -> ArraySlice<WriteJob>? {
        // Callers whose work is in the open transaction: they learn their fate at COMMIT.
        var pending: [@Sendable ((any Error)?) -> Void] = []
        var inTransaction = false
        // Where the writes not yet answered start: those before were answered by an abort.
        var unanswered = batch.startIndex
        var ran = 0
        var failed = 0

        func abort(_ error: any Error) {
            if !connection.isAutocommit { try? connection.executeInternal("ROLLBACK") }
            for finish in pending { finish(error) }
            pending.removeAll()
            inTransaction = false
        }

        /// Aborts the transaction and answers the write at `index` with `error` as well.
        func abort(_ error: any Error, answering answer: @Sendable (any Error) -> Void, at index: Int) {
            abort(error)
            answer(error)
            unanswered = index + 1
        }

        for index in batch.indices {
            let job = batch[index]
            if !inTransaction {
                do {
                    try connection.executeInternal("BEGIN IMMEDIATE")
                    inTransaction = true
                } catch {
                    // Most likely another process holds the lock past the busy timeout: the rest
                    // of the batch would only wait as long again.
                    logger.error("store: BEGIN failed", metadata: ["error": "\(error)"])
                    for rest in batch[index...] { rest.abandon(error) }
                    stats.batchFinished(writes: ran, failedWrites: failed, committed: nil)
                    return nil
                }
            }
            if isolation == .savepointPerWrite {
                do {
                    try connection.executeInternal("SAVEPOINT store_write")
                } catch {
                    abort(error, answering: job.abandon, at: index)
                    continue
                }
            }
            let before = connection.changeMark
            let outcome = job.execute(connection)
            ran += 1
            if connection.isAutocommit {
                // SQLite rolled the whole transaction back (disk full, I/O error, ON CONFLICT
                // ROLLBACK): the earlier writes of this batch are gone too.
                let error = outcome.error ?? StoreError.sqlite(
                    code: SQLITE_ABORT, extendedCode: SQLITE_ABORT, message: "transaction was rolled back", sql: nil)
                failed += 1
                abort(error, answering: outcome.finish, at: index)
                continue
            }
            if outcome.error != nil { failed += 1 }
            switch isolation {
            case .optimistic:
                if outcome.error != nil && connection.changeMark != before {
                    // If even the ROLLBACK fails, the rerun's BEGIN fails and answers them all.
                    try? connection.executeInternal("ROLLBACK")
                    return batch[unanswered...]
                }
            case .savepointPerWrite:
                do {
                    if outcome.error != nil { try connection.executeInternal("ROLLBACK TO store_write") }
                    try connection.executeInternal("RELEASE store_write")
                } catch {
                    abort(error, answering: outcome.finish, at: index)
                    continue
                }
            }
            pending.append(outcome.finish)
        }

        guard inTransaction else {
            stats.batchFinished(writes: ran, failedWrites: failed, committed: nil)
            return nil
        }
        // Numbered before COMMIT: from that instant readers may see the batch.
        let commit = flusher?.commitBegins()
        do {
            try connection.executeInternal("COMMIT")
            stats.batchFinished(writes: ran, failedWrites: failed, committed: true)
            if let flusher, let commit {
                flusher.commitWritten(commit, waiters: pending)
            } else {
                for finish in pending { finish(nil) }
            }
        } catch {
            logger.error("store: COMMIT failed", metadata: ["error": "\(error)", "writes": "\(pending.count)"])
            stats.batchFinished(writes: ran, failedWrites: failed, committed: false)
            if let commit { flusher?.commitWritten(commit, waiters: []) }
            abort(error)
        }
        return nil
    }
}
