extension Database {
    /// Counters since the database was opened; for metrics and for tests that prove batching.
    public struct Statistics: Sendable, Equatable {
        /// Write closures run by the writer, including those that threw.
        public var writes = 0
        /// Write closures that threw and were rolled back to their savepoint.
        public var failedWrites = 0
        /// Successful COMMITs; with group commit this is at most `writes`.
        public var commits = 0
        public var failedCommits = 0
        /// Statements compiled on any connection; a statement-cache hit does not count.
        public var statementsPrepared = 0
        /// Background checkpoints run (each copies what it can of the WAL into the database file).
        public var checkpoints = 0
        /// Pages in the WAL after the latest commit; small again each time the WAL starts over.
        public var walPages = 0
        /// fdatasyncs of the WAL by the sync thread (synchronous=FULL); each covers every commit
        /// written before it began, so under load there are fewer of them than commits.
        public var walSyncs = 0
        /// Writes queued and not yet taken by the writer.
        public var pendingWrites = 0
    }
}

final class StatsRecorder: Sendable {
    private let state = Locked(Database.Statistics())

    var snapshot: Database.Statistics { state.withLock { $0 } }

    func statementPrepared() { state.withLock { $0.statementsPrepared += 1 } }

    func walCommitted(pages: Int) { state.withLock { $0.walPages = pages } }

    func walSynced() { state.withLock { $0.walSyncs += 1 } }

    func checkpointFinished() { state.withLock { $0.checkpoints += 1 } }

    func batchFinished(writes: Int, failedWrites: Int, committed: Bool?) {
        state.withLock {
            $0.writes += writes
            $0.failedWrites += failedWrites
            switch committed {
            case true?: $0.commits += 1
            case false?: $0.failedCommits += 1
            case nil: break
            }
        }
    }
}
