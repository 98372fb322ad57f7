import Foundation

/// A FIFO of jobs for threads that own a connection. Pushing fails once closed; popping drains
/// what is left and then returns nil, which is how `close()` lets pending work finish.
final class WorkQueue<Job: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    // Taken slots are set to nil so finished jobs (and what they capture) are released at once.
    private var jobs: [Job?] = []
    private var head = 0
    private var closed = false

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    func push(_ job: Job) throws {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw StoreError.closed }
        jobs.append(job)
        condition.signal()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until a job is available; nil once closed and empty.
    func pop() -> Job? {
        popBatch(max: 1) { _ in false }?.first
    }

    /// Blocks until a job is available, then takes it and, if it `canGroup`, the following jobs
    /// that also can, up to `max` in all.
    func popBatch(max: Int, canGroup: (Job) -> Bool) -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && !closed {
            condition.wait()
        }
        guard head < jobs.count else { return nil }
        var end = head + 1
        if canGroup(jobs[head]!) {
            while end < jobs.count && end - head < max && canGroup(jobs[end]!) { end += 1 }
        }
        var batch: [Job] = []
        batch.reserveCapacity(end - head)
        for i in head..<end {
            batch.append(jobs[i]!)
            jobs[i] = nil
        }
        head = end
        // Compact now and then instead of shifting the array on every pop.
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return batch
    }
}
