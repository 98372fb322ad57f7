import Core
import Logging
import Store

/// Makes the attempts the store says are due. Pending deliveries live in the database with
/// their `next_attempt_at`, so a restart resumes them where they were. At most
/// `maxConcurrentDeliveries` attempts run at once, and at most `maxConcurrentPerWebhook` to one
/// webhook: a slow or dead endpoint holds its own slots, never the others'. With one per
/// webhook (the default), each endpoint gets its events in order while nothing fails.
actor DeliveryWorker {
    private let core: WardenCore
    private let attempt: DeliveryAttempt
    private let configuration: WebhookConfiguration
    private let metrics: WebhookMetrics
    private let logger: Logger

    /// Delivery ids in flight, by webhook.
    private var inFlight: [String: Set<String>] = [:]
    private var attempts: [String: Task<Void, Never>] = [:]
    private let pacer = WorkPacer()
    /// Attempts recorded so far. A round whose read overlapped one skips starting anything: its
    /// snapshot may predate that record and show the delivery still pending (it would go out
    /// twice). The finish's wake-up makes the next round run at once.
    private var recorded = 0
    /// Which webhook is looked at first, turned each round so none always goes last.
    private var rotation = 0

    init(core: WardenCore, attempt: DeliveryAttempt, configuration: WebhookConfiguration, metrics: WebhookMetrics,
         logger: Logger) {
        self.core = core
        self.attempt = attempt
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts what is due, sleeps until the next due time or a wake-up, and again, until `stop`.
    func run() async {
        let logger = self.logger
        await pacer.run({ try await self.startDueAttempts() }) { error in
            logger.error("could not read pending webhook deliveries", metadata: ["error": "\(error)"])
        }
    }

    /// New deliveries exist, or a slot came free: look again now.
    nonisolated func wake() { pacer.wake() }

    /// Stops starting attempts and waits up to `grace` for those in flight to be recorded.
    func stop(grace: Duration) async {
        await pacer.stop(draining: Array(attempts.values), grace: grace)
    }


    /// Starts every due delivery that has a free slot; returns how long to sleep.
    private func startDueAttempts() async throws -> Duration {
        let idle = configuration.idleRecheck
        guard attempts.count < configuration.maxConcurrentDeliveries else { return idle }
        let perWebhook = configuration.maxConcurrentPerWebhook
        let busy = inFlight.mapValues(\.count)
        let recordedBefore = recorded
        let candidates = try await core.read { db in
            let deliveries = WebhookDeliveryRepository(db)
            return try WebhookRepository(db).all().compactMap { webhook -> (WebhookRecord, [WebhookDeliveryRecord])? in
                let flying = busy[webhook.id] ?? 0
                guard flying < perWebhook else { return nil }
                return (webhook, try deliveries.pending(webhook: webhook.id, limit: perWebhook + flying))
            }
        }
        guard recorded == recordedBefore, !candidates.isEmpty else { return idle }
        let now = Timestamp.now()
        var nextDue: String?
        rotation = (rotation + 1) % candidates.count
        for (webhook, pending) in candidates[rotation...] + candidates[..<rotation] {
            for delivery in pending where !(inFlight[webhook.id]?.contains(delivery.id) ?? false) {
                let due = delivery.nextAttemptAt ?? now
                if due > now {
                    nextDue = min(nextDue ?? due, due)
                    break
                }
                guard !pacer.isStopping, attempts.count < configuration.maxConcurrentDeliveries,
                      (inFlight[webhook.id]?.count ?? 0) < perWebhook else { break }
                start(delivery, to: webhook)
            }
        }
        guard let nextDue, let date = Timestamp.parse(nextDue) else { return idle }
        return min(idle, .milliseconds(max(1, Int64((date.timeIntervalSinceNow * 1000).rounded(.up)))))
    }

    private func start(_ delivery: WebhookDeliveryRecord, to webhook: WebhookRecord) {
        inFlight[webhook.id, default: []].insert(delivery.id)
        metrics.attemptStarted()
        let attempt = self.attempt
        attempts[delivery.id] = Task {
            let outcome = await attempt.send(delivery, to: webhook)
            await self.finish(delivery, to: webhook, outcome)
        }
    }

    /// Records the attempt, then frees its slot: the delivery is not looked at again before
    /// its row says what happened.
    private func finish(_ delivery: WebhookDeliveryRecord, to webhook: WebhookRecord, _ outcome: AttemptOutcome) async {
        let attempts = Int(delivery.attempts) + 1
        var record = WebhookAttemptRecord(at: Timestamp.now(), statusCode: outcome.statusCode.map(Int64.init),
                                          error: outcome.errorText, status: "delivered", nextAttemptAt: nil)
        switch outcome {
        case .delivered:
            break
        case .refused(_, let retryAfter):
            record.status = "pending"
            record.nextAttemptAt = configuration.retry.nextAttemptAt(afterFailedAttempts: attempts, retryAfter: retryAfter)
        case .unreachable:
            record.status = "pending"
            record.nextAttemptAt = configuration.retry.nextAttemptAt(afterFailedAttempts: attempts, retryAfter: nil)
        }
        if record.status == "pending" && record.nextAttemptAt == nil { record.status = "failed" }
        let written = record
        do {
            let stored = try await core.write { tx in try WebhookDeliveryRepository(tx.db).recordAttempt(delivery.id, written) }
            if stored { report(delivery, webhook, outcome, written, attempts) }
        } catch {
            logger.error("could not record a webhook delivery attempt", metadata: [
                "delivery": "\(delivery.id)", "webhook": "\(webhook.id)", "error": "\(error)"])
        }
        metrics.attemptFinished(outcome, gaveUp: record.status == "failed")
        recorded += 1
        inFlight[webhook.id]?.remove(delivery.id)
        if inFlight[webhook.id]?.isEmpty == true { inFlight[webhook.id] = nil }
        self.attempts[delivery.id] = nil
        wake()
    }


    private func report(_ delivery: WebhookDeliveryRecord, _ webhook: WebhookRecord, _ outcome: AttemptOutcome,
                        _ record: WebhookAttemptRecord, _ attempts: Int) {
        guard record.status != "delivered" else { return }
        // The origin only: a webhook's path or query may carry the receiver's token.
        let origin = (try? WebhookURL(parsing: webhook.url))?.origin ?? "?"
        var metadata: Logger.Metadata = ["delivery": "\(delivery.id)", "webhook": "\(webhook.id)", "endpoint": "\(origin)",
                                         "event": "\(delivery.eventType)", "attempts": "\(attempts)",
                                         "error": "\(outcome.errorText ?? "")"]
        if record.status == "failed" {
            logger.warning("gave up a webhook delivery", metadata: metadata)
        } else {
            metadata["next_attempt_at"] = "\(record.nextAttemptAt ?? "")"
            logger.info("webhook delivery attempt failed; will retry", metadata: metadata)
        }
    }
}
