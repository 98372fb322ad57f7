import Core
import Foundation
import Logging
import Store

/// Sends the outbox rows that are due. Pending rows live in the database with their
/// `next_attempt_at` and `parts_sent`, so a restart resumes them where they were. One row per
/// session at a time, oldest first (a thread gets its messages in order), and at most
/// `maxConcurrentDeliveries` in all; each outcome is recorded before the slot is freed.
actor OutboxWorker {
    private let core: WardenCore
    private let sender: OutboxSender
    private let configuration: ChannelReplyConfiguration
    private let metrics: ChannelReplyMetrics
    private let logger: Logger

    /// Row ids in flight, by session.
    private var inFlight: [String: String] = [:]
    private var attempts: [String: Task<Void, Never>] = [:]
    private let pacer = WorkPacer()
    /// Attempts recorded so far. A round whose read overlapped one skips starting anything: its
    /// snapshot may predate that record and show the row still pending (it would go out twice).
    /// The finish's wake-up makes the next round run at once.
    private var recorded = 0

    init(core: WardenCore, sender: OutboxSender, configuration: ChannelReplyConfiguration, metrics: ChannelReplyMetrics,
         logger: Logger) {
        self.core = core
        self.sender = sender
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    func run() async {
        let logger = self.logger
        await pacer.run({ try await self.startDueAttempts() }) { error in
            logger.error("could not read pending channel replies", metadata: ["error": "\(error)"])
        }
    }

    /// New rows exist, or a slot came free: look again now.
    nonisolated func wake() { pacer.wake() }

    /// Stops starting attempts and waits up to `grace` for those in flight to be recorded.
    func stop(grace: Duration) async {
        await pacer.stop(draining: Array(attempts.values), grace: grace)
    }


    /// Starts every due row whose session is free; returns how long to sleep.
    private func startDueAttempts() async throws -> Duration {
        let idle = configuration.idleRecheck
        let free = configuration.maxConcurrentDeliveries - inFlight.count
        guard free > 0 else { return idle }
        // Sessions in flight still have their oldest row pending: read past them.
        let limit = free + inFlight.count
        let recordedBefore = recorded
        let candidates = try await core.read { try ChannelOutboxRepository($0).nextPerSession(limit: limit) }
        guard recorded == recordedBefore else { return idle }
        let now = Timestamp.now()
        var nextDue: String?
        for row in candidates where inFlight[row.sessionID] == nil {
            let due = row.nextAttemptAt ?? now
            if due > now {
                nextDue = min(nextDue ?? due, due)
                continue
            }
            guard !pacer.isStopping, inFlight.count < configuration.maxConcurrentDeliveries else { break }
            start(row)
        }
        guard let nextDue, let date = Timestamp.parse(nextDue) else { return idle }
        return min(idle, .milliseconds(max(1, Int64((date.timeIntervalSinceNow * 1000).rounded(.up)))))
    }

    private func start(_ row: ChannelOutboxRecord) {
        inFlight[row.sessionID] = row.id
        let sender = self.sender
        attempts[row.id] = Task {
            let result = await sender.attempt(row)
            await self.finish(row, result)
        }
    }

    /// Records the attempt, then frees the session's slot.
    private func finish(_ row: ChannelOutboxRecord, _ result: ReplyAttempt.Result) async {
        let attempt = record(for: row, result)
        do {
            let stored = try await core.write { tx in try ChannelOutboxRepository(tx.db).recordAttempt(row.id, attempt) }
            if stored {
                metrics.attemptFinished(kind: row.kind, status: attempt.status)
                report(row, attempt)
            }
        } catch {
            logger.error("could not record a channel reply attempt", metadata: ["row": "\(row.id)", "error": "\(error)"])
        }
        recorded += 1
        inFlight[row.sessionID] = nil
        attempts[row.id] = nil
        wake()
    }

    private func record(for row: ChannelOutboxRecord, _ result: ReplyAttempt.Result) -> ChannelOutboxAttempt {
        let at = Timestamp.now()
        switch result {
        case .delivered(let parts, let ids):
            return ChannelOutboxAttempt(at: at, status: "delivered", partsSent: Int64(parts), error: nil, nextAttemptAt: nil,
                                        newMessageIDs: ids)
        case .failed(let parts, let reason):
            return ChannelOutboxAttempt(at: at, status: "failed", partsSent: Int64(parts), error: reason, nextAttemptAt: nil,
                                        newMessageIDs: [])
        case .retry(let parts, let after, let reason):
            let next = configuration.retry.nextAttemptAt(afterFailedAttempts: Int(row.attempts) + 1, retryAfter: after)
            return ChannelOutboxAttempt(at: at, status: next == nil ? "failed" : "pending", partsSent: Int64(parts),
                                        error: reason, nextAttemptAt: next, newMessageIDs: [])
        }
    }

    private func report(_ row: ChannelOutboxRecord, _ attempt: ChannelOutboxAttempt) {
        guard attempt.status != "delivered" else { return }
        var metadata: Logger.Metadata = ["row": "\(row.id)", "channel": "\(row.channelID)", "session": "\(row.sessionID)",
                                         "kind": "\(row.kind)", "attempts": "\(row.attempts + 1)",
                                         "error": "\(attempt.error ?? "")"]
        if attempt.status == "failed" {
            logger.warning("gave up a channel reply", metadata: metadata)
        } else {
            metadata["next_attempt_at"] = "\(attempt.nextAttemptAt ?? "")"
            logger.info("channel reply attempt failed; will retry", metadata: metadata)
        }
    }
}
