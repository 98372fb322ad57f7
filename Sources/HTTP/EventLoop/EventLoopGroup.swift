import Synchronization

/// A fixed set of event loops, one per core by default.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let nextIndex = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    public init(loopCount: Int = System.coreCount) throws(SystemError) {
        var loops: [EventLoop] = []
        for i in 0..<max(1, loopCount) { loops.append(try EventLoop(index: i)) }
        self.loops = loops
        for loop in loops { loop.start() }
    }

    /// Round-robin, so accepted connections spread evenly over the loops.
    public func next() -> EventLoop {
        loops[nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Stops every loop; call after servers and clients using the group have shut down.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for loop in loops { loop.stop() }
    }
}
