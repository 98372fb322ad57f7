/// Requests counted over the last 60 seconds in one-second buckets: a sliding window whose
/// memory does not grow with the limit. "N per minute" means at most N requests in the current
/// second and the 59 before it.
struct MinuteWindow {
    static let seconds = 60

    private var counts = [Int](repeating: 0, count: MinuteWindow.seconds)
    private(set) var total = 0
    /// The latest second anything was recorded or advanced to.
    private(set) var second: Int64

    init(second: Int64) {
        self.second = second
    }

    /// Moves the window to `now`, forgetting the seconds that fell out of it. A `now` earlier than
    /// the window's (callers read the clock before taking the lock) counts as the window's second.
    mutating func advance(to now: Int64) {
        guard now > second else { return }
        if now - second >= Int64(Self.seconds) {
            counts = [Int](repeating: 0, count: Self.seconds)
            total = 0
        } else {
            for passing in (second + 1)...now {
                total -= counts[Self.slot(passing)]
                counts[Self.slot(passing)] = 0
            }
        }
        second = now
    }

    mutating func record() {
        counts[Self.slot(second)] += 1
        total += 1
    }

    /// Whole seconds from now until the window holds fewer than `limit` requests.
    func secondsUntilBelow(_ limit: Int) -> Int {
        var left = total
        for ahead in 1...Self.seconds {
            // At second+ahead, the bucket of second+ahead-60 (the same slot) leaves the window.
            left -= counts[Self.slot(second + Int64(ahead))]
            if left < limit { return ahead }
        }
        return Self.seconds
    }

    /// Nothing in it any more: dropping it loses nothing.
    func isIdle(at now: Int64) -> Bool {
        now - second >= Int64(Self.seconds) || total == 0
    }

    private static func slot(_ second: Int64) -> Int {
        Int(second % Int64(seconds))
    }
}
