import Foundation

/// A few dedicated threads for `getaddrinfo`, which blocks (for seconds when a DNS server is
/// slow) and cannot be cancelled: run on an event loop it would stall every connection of the
/// loop, run on Swift's cooperative pool it would starve unrelated tasks. A fixed number bounds
/// the threads a burst of lookups can create; the rest wait in the queue.
final class LookupThreads: @unchecked Sendable {
    static let shared = LookupThreads(count: 8)

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [@Sendable () -> Void] = []
    private var started = false
    private let count: Int

    init(count: Int) {
        precondition(count > 0)
        self.count = count
    }

    /// Runs `work` on one of the threads; the caller's task suspends meanwhile.
    func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            enqueue { continuation.resume(returning: work()) }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        // Started on first use, so a warden whose agents never leave the host has no idle threads.
        if !started {
            started = true
            for index in 0..<count {
                let name = "warden-dns-\(index)"
                let thread = Thread { [self] in
                    Thread.current.name = name // applied on Linux only from the thread itself
                    self.work()
                }
                thread.start()
            }
        }
        jobs.append(job)
        condition.signal()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
