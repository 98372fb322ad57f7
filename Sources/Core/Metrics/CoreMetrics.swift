import Store

extension WardenCore {
    /// The store's counters and what is waiting on people: registered once, by `init`.
    func registerCoreMetrics() {
        metrics.register { [database, approvals] in
            let stats = database.statistics
            return [
                MetricFamily("warden_store_writes_total", .counter, help: "Write closures run by the store's writer.",
                             value: stats.writes),
                MetricFamily("warden_store_failed_writes_total", .counter,
                             help: "Write closures that threw and were rolled back.", value: stats.failedWrites),
                MetricFamily("warden_store_commits_total", .counter,
                             help: "SQLite commits (group commit: at most one per batch of writes).", value: stats.commits),
                MetricFamily("warden_store_failed_commits_total", .counter, help: "SQLite commits that failed.",
                             value: stats.failedCommits),
                MetricFamily("warden_store_pending_writes", .gauge, help: "Writes queued for the writer.",
                             value: stats.pendingWrites),
                MetricFamily("warden_store_checkpoints_total", .counter,
                             help: "WAL checkpoints run in the background (each copies what it can into the database file).",
                             value: stats.checkpoints),
                MetricFamily("warden_store_wal_syncs_total", .counter,
                             help: "fdatasyncs of the WAL (synchronous=full); each makes every commit written before it durable.",
                             value: stats.walSyncs),
                MetricFamily("warden_store_wal_pages", .gauge, help: "Pages in the WAL after the latest commit.",
                             value: stats.walPages),
                MetricFamily("warden_approval_waiters", .gauge,
                             help: "Callers (held proxy requests, agent tool calls) waiting for a person's decision.",
                             value: approvals.waitingCount),
            ]
        }
    }
}
