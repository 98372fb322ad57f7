import Foundation

/// Opens once `count` worker threads have finished. Waiters are resumed directly by the last
/// thread rather than through Dispatch, whose small global pool may be busy or blocked.
final class Latch: @unchecked Sendable {
    private let condition = NSCondition()
    private var remaining: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { remaining = count }

    func countDown() {
        condition.lock()
        remaining -= 1
        guard remaining == 0 else {
            condition.unlock()
            return
        }
        let resumed = waiters
        waiters.removeAll()
        condition.broadcast()
        condition.unlock()
        for waiter in resumed { waiter.resume() }
    }

    func wait() {
        condition.lock()
        while remaining > 0 { condition.wait() }
        condition.unlock()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            condition.lock()
            if remaining > 0 {
                waiters.append(continuation)
                condition.unlock()
            } else {
                condition.unlock()
                continuation.resume()
            }
        }
    }
}
