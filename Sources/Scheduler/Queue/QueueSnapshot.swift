/// What one read of the store says about a session's queue: whether the run the scheduler had
/// assigned is still going, and the head of the queue.
struct QueueSnapshot {
    /// Queued runs the scheduler keeps per session: the next one, and whether another follows
    /// (so a container between two runs never looks idle and is never evicted then).
    static let depth = 2

    /// The run assigned when the read was asked for.
    let assigned: String?
    /// `assigned` has reached a final status (or is gone).
    let assignedFinished: Bool
    /// The oldest queued runs, at most `depth + 1` (one may be `assigned`, not yet handed out).
    let queued: [String]
}
