import Core
import Synchronization

/// Counters for `/metrics`: reply, card and card-update attempts by how they ended.
final class ChannelReplyMetrics: Sendable {
    private struct Key: Hashable { let kind: String; let outcome: String }
    private let counts = Mutex<[Key: Int]>([:])

    /// `status` is what the attempt left the row as: delivered, pending (a retry is due) or failed.
    func attemptFinished(kind: String, status: String) {
        let outcome = status == "pending" ? "retry" : status
        counts.withLock { $0[Key(kind: kind, outcome: outcome), default: 0] += 1 }
    }

    var families: [MetricFamily] {
        let counts = self.counts.withLock { $0 }.sorted { ($0.key.kind, $0.key.outcome) < ($1.key.kind, $1.key.outcome) }
        return [MetricFamily("warden_channel_attempts_total", .counter,
                             help: "Attempts to deliver replies, approval cards and card updates to chat platforms, by how they ended.",
                             samples: counts.map { MetricFamily.Sample($0.value, labels: [("kind", $0.key.kind), ("outcome", $0.key.outcome)]) })]
    }
}
