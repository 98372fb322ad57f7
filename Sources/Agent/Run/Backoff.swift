/// Growing pauses between attempts to reach warden: quick while it restarts, gentle while it is gone.
struct Backoff {
    private let initial: Duration
    private let maximum: Duration
    private var current: Duration

    init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
        current = initial
    }

    mutating func next() -> Duration {
        defer { current = min(current * 2, maximum) }
        return current
    }

    mutating func reset() { current = initial }
}
