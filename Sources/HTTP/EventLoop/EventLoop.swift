import CLinux
import Foundation
import Synchronization

/// Something registered with an event loop: a listener, a server or client connection.
/// Called only on the loop's thread.
protocol EventHandler: AnyObject {
    func handleEvent(_ flags: UInt32)
    /// A deadline this handler asked for with `EventLoop.scheduleTimer` has come.
    func timerFired(scheduledFor deadline: UInt64, now: UInt64)
}

/// One thread that waits on epoll and runs everything registered with it. Handlers, their
/// buffers and timers are confined to this thread; other threads hand it work with `execute`,
/// which wakes it through an eventfd.
public final class EventLoop: @unchecked Sendable {
    public let index: Int
    let epollFD: Int32
    private let wakeFD: Int32
    private let timerFD: Int32
    private static let wakeToken: UInt64 = 0
    private static let timerToken: UInt64 = 1

    // Loop-confined state.
    private var handlers: [UInt64: EventHandler] = [:]
    private var nextToken: UInt64 = 2
    private var timers = TimerHeap()
    private var armedTimer: UInt64 = 0
    private var threadID: pthread_t?
    private var stopped = false
    /// Monotonic time of the current iteration; cheap to read, accurate to one wake-up.
    private(set) var now: UInt64 = 0
    let dateCache = DateHeaderCache()
    /// Every read lands here first; a connection keeps a copy only of bytes it could not
    /// parse yet, so idle keep-alive connections hold no input buffer.
    static let scratchSize = 64 * 1024
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: EventLoop.scratchSize)
    var random = FastRandom()

    // Cross-thread hand-off.
    private let queue = Mutex<[@Sendable () -> Void]>([])
    private let wakePending = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// Set, under the queue's lock, once the loop thread has taken its last tasks. The
    /// descriptors stay open until deinit, so whatever still holds the loop (a late task, a
    /// racing `execute`) only ever touches this loop's own, idle descriptors, never a number
    /// that was closed and handed to another loop, socket or file.
    private let terminated = Atomic<Bool>(false)
    private let lateTasks = Mutex(())

    init(index: Int) throws(SystemError) {
        self.index = index
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemError("epoll_create1") }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw SystemError("eventfd") }
        timerFD = timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        guard timerFD >= 0 else { throw SystemError("timerfd_create") }
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue, Self.wakeToken)
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, timerFD, EPOLLIN.rawValue, Self.timerToken)
        now = Clock.monotonicNanoseconds()
    }

    deinit {
        close(epollFD); close(wakeFD); close(timerFD)
        scratch.deallocate()
    }

    func start() {
        let name = "warden-loop-\(index)"
        let thread = Thread { [self] in
            Thread.current.name = name // applied on Linux only from the thread itself
            run()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    public var inEventLoop: Bool {
        guard let id = threadID else { return false }
        return pthread_equal(id, pthread_self()) != 0
    }

    /// Runs `task` on the loop thread; safe from any thread. After the loop has stopped, the
    /// task runs on the caller's thread (serialised), so late completions still find their
    /// connections closed and resume their waiters instead of hanging.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        // Checked under the lock the loop sets it under: a task is either in the last batch
        // the loop takes or runs here, never appended to a queue nobody drains any more.
        let queued = queue.withLock { q -> Bool in
            guard !terminated.load(ordering: .relaxed) else { return false }
            q.append(task)
            return true
        }
        guard queued else {
            lateTasks.withLock { _ in task() }
            return
        }
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    /// Stops the loop after the tasks queued so far; returns once its thread has finished.
    func stop() {
        execute { [self] in stopped = true }
        finished.wait()
    }

    // MARK: registration (loop thread only)

    func register(_ handler: EventHandler, fd: Int32, events: UInt32) throws(SystemError) -> UInt64 {
        // From a late task: a stopped loop would never poll the descriptor.
        guard !terminated.load(ordering: .acquiring) else { throw SystemError("event loop stopped", errno: EBADF) }
        let token = nextToken
        nextToken += 1
        guard clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, events, token) == 0 else { throw SystemError("epoll_ctl(ADD)") }
        handlers[token] = handler
        return token
    }

    func modify(fd: Int32, token: UInt64, events: UInt32) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, events, token)
    }

    /// Removes the handler; the caller closes the fd (closing also drops it from epoll).
    func deregister(fd: Int32, token: UInt64) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
        handlers[token] = nil
    }

    var handlerCount: Int { handlers.count }

    /// Asks for `timerFired` at `deadline` (monotonic ns). Handlers keep their own deadline
    /// and re-check it when called, so a later deadline needs no new entry (see TimerHeap).
    func scheduleTimer(token: UInt64, at deadline: UInt64) {
        timers.push(deadline: deadline, token: token)
        if armedTimer == 0 || deadline < armedTimer { arm(deadline) }
    }

    // MARK: the loop

    private func run() {
        threadID = pthread_self()
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !stopped {
            let n = epoll_wait(epollFD, events, Int32(capacity), -1)
            now = Clock.monotonicNanoseconds()
            if n < 0 {
                if errno == EINTR { continue }
                fatalError("epoll_wait failed: \(SystemError("epoll_wait"))")
            }
            for k in 0..<Int(n) {
                let token = clinux_event_data(events + k)
                switch token {
                case Self.wakeToken: drainWake()
                case Self.timerToken: drainTimerFD()
                default: handlers[token]?.handleEvent(clinux_event_flags(events + k))
                }
            }
            runQueuedTasks()
            fireTimers()
        }
        for (_, handler) in handlers { (handler as? LoopShutdownAware)?.loopIsStopping() }
        handlers.removeAll()
        // Holding `lateTasks` keeps tasks that arrive from now on behind the ones already queued.
        lateTasks.withLock { _ in
            let late = queue.withLock { q -> [@Sendable () -> Void] in
                terminated.store(true, ordering: .releasing)
                defer { q.removeAll() }
                return q
            }
            for task in late { task() }
        }
        finished.signal()
    }

    private func drainWake() {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
    }

    private func drainTimerFD() {
        var value: UInt64 = 0
        _ = read(timerFD, &value, 8)
        armedTimer = 0
    }

    private func runQueuedTasks() {
        guard wakePending.load(ordering: .acquiring) else { return }
        wakePending.store(false, ordering: .releasing)
        let tasks = queue.withLock { q -> [@Sendable () -> Void] in
            let t = q
            q.removeAll(keepingCapacity: true)
            return t
        }
        for task in tasks { task() }
        now = Clock.monotonicNanoseconds()
    }

    private func fireTimers() {
        while let top = timers.peek(), top.deadline <= now {
            timers.pop()
            handlers[top.token]?.timerFired(scheduledFor: top.deadline, now: now)
        }
        if let top = timers.peek() {
            if armedTimer == 0 || top.deadline < armedTimer || armedTimer <= now { arm(top.deadline) }
        }
    }

    private func arm(_ deadline: UInt64) {
        armedTimer = deadline
        let delta = deadline > now ? deadline - now : 1
        _ = clinux_timerfd_arm(timerFD, Int64(delta))
    }
}

/// Handlers that must release resources when their loop stops without a graceful close.
protocol LoopShutdownAware: AnyObject {
    func loopIsStopping()
}
