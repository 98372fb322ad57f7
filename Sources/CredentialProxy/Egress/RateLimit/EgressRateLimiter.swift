import Synchronization

/// Rate limits per (session, rule), for rules with `rateLimitPerMinute`: at most that many
/// requests in any sliding minute (see `MinuteWindow`). Thread-safe. Memory is bounded: windows
/// with nothing in the last minute are dropped once a minute, and at `maxWindows` the least
/// recently used window is dropped to make room — only sessions and rules, which agents cannot
/// create, make windows, so that bound is a safety net rather than a limit anyone should reach.
public final class EgressRateLimiter: Sendable {
    public struct Outcome: Sendable, Hashable {
        public let isAllowed: Bool
        /// For `Retry-After`: whole seconds until a request would be allowed; 0 when allowed.
        public let retryAfterSeconds: Int

        static let allowed = Outcome(isAllowed: true, retryAfterSeconds: 0)
    }

    private struct Key: Hashable {
        let session: String
        let rule: String
    }

    private struct State {
        var windows: [Key: MinuteWindow] = [:]
        var lastSweep: Int64 = 0
    }

    private let state = Mutex(State())
    private let origin: ContinuousClock.Instant
    private let maxWindows: Int

    /// `origin` is where the limiter's seconds start; tests pass a fixed one and `now`s after it.
    public init(origin: ContinuousClock.Instant = .now, maxWindows: Int = 100_000) {
        precondition(maxWindows > 0)
        self.origin = origin
        self.maxWindows = maxWindows
    }

    /// Counts the request and allows it, or refuses it (uncounted) with when to retry.
    public func allow(session: String, rule: EgressRule, now: ContinuousClock.Instant = .now) -> Outcome {
        guard let limit = rule.rateLimitPerMinute else { return .allowed }
        let second = secondsSinceOrigin(now)
        let key = Key(session: session, rule: rule.id)
        return state.withLock { state in
            sweepIdleWindows(&state, at: second)
            if state.windows[key] == nil { makeRoom(&state, at: second) }
            var window = state.windows[key] ?? MinuteWindow(second: second)
            window.advance(to: second)
            // The limit is read per request, so an edited rule takes effect at once.
            let outcome: Outcome
            if window.total < limit {
                window.record()
                outcome = .allowed
            } else {
                outcome = Outcome(isAllowed: false, retryAfterSeconds: window.secondsUntilBelow(limit))
            }
            state.windows[key] = window
            return outcome
        }
    }

    /// How many (session, rule) windows are held: for tests of the memory bound.
    var windowCount: Int { state.withLock { $0.windows.count } }

    private func sweepIdleWindows(_ state: inout State, at second: Int64) {
        guard second - state.lastSweep >= Int64(MinuteWindow.seconds) else { return }
        state.lastSweep = second
        state.windows = state.windows.filter { !$0.value.isIdle(at: second) }
    }

    /// At the bound, drop idle windows first; if every window is busy, the least recently used.
    private func makeRoom(_ state: inout State, at second: Int64) {
        guard state.windows.count >= maxWindows else { return }
        state.windows = state.windows.filter { !$0.value.isIdle(at: second) }
        guard state.windows.count >= maxWindows,
              let oldest = state.windows.min(by: { $0.value.second < $1.value.second }) else { return }
        state.windows.removeValue(forKey: oldest.key)
    }

    private func secondsSinceOrigin(_ now: ContinuousClock.Instant) -> Int64 {
        max(0, origin.duration(to: now).components.seconds)
    }
}
