/// Shared by outbound webhooks and channel replies: both deliver to someone else's API that may be
/// down or throttling, and both record each attempt durably before retrying.
///
/// When a delivery that did not get a 2xx is tried again: after each failed attempt the next
/// delay of the schedule, spread by a random factor so that deliveries failed together (an
/// endpoint that was down) do not all return together; once the schedule is spent the
/// delivery is given up (`failed`). A `Retry-After` the endpoint sent is honoured: the wait is
/// never shorter than it asked for.
public struct RetryPolicy: Sendable, Equatable {
    /// The wait after the first failed attempt, the second, …; its length is the number of retries.
    public var delays: [Duration]
    /// Each delay is multiplied by a random factor in 1 ± `jitter`.
    public var jitter: Double
    /// A longer `Retry-After` is cut to this.
    public var maxRetryAfter: Duration

    public init(delays: [Duration], jitter: Double = 0.2, maxRetryAfter: Duration = .seconds(24 * 3600)) {
        self.delays = delays
        self.jitter = min(max(jitter, 0), 1)
        self.maxRetryAfter = maxRetryAfter
    }

    /// 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h: eleven attempts over about a day.
    public static let standard = RetryPolicy(delays: [
        .seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(1800),
        .seconds(3600), .seconds(7200), .seconds(14_400), .seconds(28_800), .seconds(28_800),
    ])

    /// The wait before the next attempt once `attempts` have failed; nil when it is time to give up.
    public func delay(afterFailedAttempts attempts: Int, retryAfter: Duration? = nil) -> Duration? {
        guard attempts >= 1, attempts <= delays.count else { return nil }
        let factor = jitter == 0 ? 1 : Double.random(in: (1 - jitter)...(1 + jitter))
        let scheduled = delays[attempts - 1] * factor
        guard let retryAfter else { return scheduled }
        return max(scheduled, min(retryAfter, maxRetryAfter))
    }

    /// When the next attempt is due (an RFC 3339 timestamp), or nil when it is time to give up.
    public func nextAttemptAt(afterFailedAttempts attempts: Int, retryAfter: Duration? = nil) -> String? {
        delay(afterFailedAttempts: attempts, retryAfter: retryAfter).map { Timestamp.after(seconds: $0.timeInterval) }
    }
}

extension Duration {
    /// In seconds, as `TimeInterval` and `Timestamp.after(seconds:)` count them.
    public var timeInterval: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
