import Core
import Synchronization

/// Counters for `/metrics`: attempts by how they ended, deliveries given up, attempts in flight.
final class WebhookMetrics: Sendable {
    private struct Counts {
        var delivered = 0
        var refused = 0
        var unreachable = 0
        var gaveUp = 0
        var inFlight = 0
    }
    private let counts = Mutex(Counts())

    func attemptStarted() { counts.withLock { $0.inFlight += 1 } }

    func attemptFinished(_ outcome: AttemptOutcome, gaveUp: Bool) {
        counts.withLock { c in
            c.inFlight -= 1
            switch outcome {
            case .delivered: c.delivered += 1
            case .refused: c.refused += 1
            case .unreachable: c.unreachable += 1
            }
            if gaveUp { c.gaveUp += 1 }
        }
    }

    var families: [MetricFamily] {
        let c = counts.withLock { $0 }
        return [
            MetricFamily("warden_webhook_attempts_total", .counter, help: "Webhook delivery attempts, by how they ended.",
                         samples: [MetricFamily.Sample(c.delivered, labels: [("outcome", "delivered")]),
                                   MetricFamily.Sample(c.refused, labels: [("outcome", "refused")]),
                                   MetricFamily.Sample(c.unreachable, labels: [("outcome", "unreachable")])]),
            MetricFamily("warden_webhook_deliveries_failed_total", .counter,
                         help: "Webhook deliveries given up after their last retry.", value: c.gaveUp),
            MetricFamily("warden_webhook_attempts_in_flight", .gauge, help: "Webhook delivery attempts in progress.",
                         value: c.inFlight),
        ]
    }
}
