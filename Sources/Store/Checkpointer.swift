import CSQLite
import Foundation
import Logging

/// Copies the WAL back into the database file on its own connection and thread. SQLite's
/// auto-checkpoint would do this inside the COMMIT that crossed the threshold, on the writer
/// thread, so every caller in that batch (and every write queued behind it) waited for it.
///
/// Checkpoints are PASSIVE: they copy what no reader still needs and never block the writer
/// or readers. The WAL starts over from its beginning only at a write transaction that finds
/// every frame copied, which a checkpoint running beside a busy writer never leaves behind. So
/// after each one the writer copies the rest itself between two batches: the few frames
/// committed while this one ran.
final class Checkpointer: @unchecked Sendable {
    private struct State {
        var requested = false
        var closed = false
        /// The writer has been asked to copy what this checkpoint left over.
        var tailPending = false
        /// WAL size, in pages, at which the next checkpoint is requested.
        var nextRunAt: Int
    }

    /// 0: never runs; the WAL is copied only by `Database.checkpoint()` and the last close.
    private let thresholdPages: Int
    private let condition = NSCondition()
    private var state: State // guarded by `condition`
    private let stats: StatsRecorder
    private let logger: Logger
    private let finished = Latch(count: 1)
    /// Queues `copyTail` on the writer thread, for its connection.
    private let onWriter: @Sendable (@escaping @Sendable (Connection) -> Void) -> Void

    init(connection: Connection, thresholdPages: Int, stats: StatsRecorder, logger: Logger,
         onWriter: @escaping @Sendable (@escaping @Sendable (Connection) -> Void) -> Void) {
        self.onWriter = onWriter
        self.thresholdPages = max(0, thresholdPages)
        self.state = State(nextRunAt: self.thresholdPages)
        self.stats = stats
        self.logger = logger
        let handoff = Handoff(value: connection)
        let worker = Thread { [self] in
            Thread.current.name = "store-checkpt" // Linux: only from the thread itself, at most 15 bytes
            self.run(handoff.value)
        }
        worker.start()
    }

    /// Called by the writer after each commit with the WAL's size; cheap unless it asks for a run.
    func walDidGrow(toPages pages: Int) {
        guard thresholdPages > 0 else { return }
        condition.lock()
        defer { condition.unlock() }
        guard pages >= state.nextRunAt, !state.requested, !state.tailPending, !state.closed else { return }
        state.requested = true
        condition.signal()
    }

    /// Stops after the checkpoint in progress, if any, and closes the connection.
    func close() {
        condition.lock()
        state.closed = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilFinished() async { await finished.wait() }

    func waitUntilFinishedSync() { finished.wait() }

    private func run(_ connection: Connection) {
        while waitForRequest() {
            guard checkpoint(connection) != nil else {
                setNextRun(at: thresholdPages)
                continue
            }
            // Even a checkpoint that copied all it saw leaves the frames committed meanwhile.
            condition.lock()
            state.tailPending = true
            condition.unlock()
            onWriter { [self] writerConnection in copyTail(on: writerConnection) }
        }
        connection.close()
        finished.countDown()
    }

    /// Runs on the writer thread between batches, so no commit can add frames meanwhile.
    private func copyTail(on writerConnection: Connection) {
        let progress = checkpoint(writerConnection)
        condition.lock()
        state.tailPending = false
        // Short only while a reader's snapshot still needs old frames; trying again at once would
        // spin, so wait until the WAL has grown by another quarter of the threshold.
        state.nextRunAt = progress.map { $0.isComplete ? thresholdPages : $0.walPages + max(1, thresholdPages / 4) }
            ?? thresholdPages
        condition.unlock()
    }

    private func checkpoint(_ connection: Connection) -> Connection.CheckpointProgress? {
        do {
            let progress = try connection.checkpoint(.passive)
            stats.checkpointFinished()
            return progress
        } catch {
            logger.warning("store: checkpoint failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func setNextRun(at pages: Int) {
        condition.lock()
        state.nextRunAt = pages
        condition.unlock()
    }

    /// Blocks until a checkpoint is wanted; false once closed.
    private func waitForRequest() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !state.requested && !state.closed { condition.wait() }
        state.requested = false
        return !state.closed
    }
}
