/// The scheduler's picture of one session: its container, the run it is working on, and the
/// agent's pending long-poll. Confined to the `Scheduler` actor.
struct SessionSlot {
    enum Container {
        case none
        /// Being created; `attempt` counts from 1.
        case starting(attempt: Int)
        case running(RunningContainer)

        var exists: Bool { if case .none = self { return false }; return true }
        var id: String? { if case .running(let c) = self { return c.id }; return nil }
    }

    struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<WorkItem?, Never>
    }

    var container: Container = .none
    /// Which container this slot means: unique across the scheduler's life (slots of idle
    /// sessions are dropped and made again), 0 when there is none. A late report about an
    /// earlier container (its exit, a failed start) carries another number and is ignored.
    var generation = 0
    /// The run this session's container is working on, or is about to be given.
    var assigned: String?
    /// Whether the agent has fetched `assigned` (it is then `in_progress`; retrying it is no longer safe).
    var handedOut = false
    /// The head of this session's queue, oldest first, as last read from the store: at most
    /// `QueueSnapshot.depth` runs, never the assigned one.
    var queued: [String] = []
    /// Containers that died before the agent took the assigned run (retrying then is safe).
    var crashesBeforeHandOut = 0
    var waiter: Waiter?
    var runTimer: Task<Void, Never>?
    var idleTimer: Task<Void, Never>?
    var lastUsed = ContinuousClock.now

    /// Forgets the container (stopped, or gone by itself): a later report about it is stale, its
    /// idle timer is moot, and an agent poll waiting in it is answered empty.
    mutating func dropContainer() {
        container = .none
        generation = 0
        idleTimer?.cancel()
        idleTimer = nil
        waiter?.continuation.resume(returning: nil)
        waiter = nil
    }

    /// Nothing to remember: no container, no run, no waiting agent.
    var isEmpty: Bool { !container.exists && assigned == nil && queued.isEmpty && waiter == nil }

    /// Warm and with nothing to do: the first container to stop when capacity is needed.
    var isIdle: Bool {
        if case .running = container { return assigned == nil && queued.isEmpty }
        return false
    }
}
