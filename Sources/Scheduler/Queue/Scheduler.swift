import Core
import Foundation
import Logging
import Store

/// Runs the queued runs of every session in containers (SPEC §4): one run at a time per
/// session in order, at most `maxContainers` containers, a container started on demand, kept
/// warm and stopped when idle, every run bounded by a wall-clock timeout, crashes detected.
///
/// The store is the source of truth. Signals from the core only say which session changed;
/// the scheduler then re-reads that session (`reconcile`), so nothing depends on signal order.
public actor Scheduler {
    let core: WardenCore
    let runtime: any ContainerRuntime
    let configuration: SchedulerConfiguration
    let sockets: SessionSockets
    let logger: Logger

    var slots: [String: SessionSlot] = [:]
    /// Containers being killed: they still count against `maxContainers` until they are gone.
    var stopping = 0
    var nextWaiterID: UInt64 = 0
    /// The last container generation handed out (see `SessionSlot.generation`).
    var generations = 0
    var isShuttingDown = false
    private var signalTask: Task<Void, Never>?
    var taskLoop: Task<Void, Never>?

    init(core: WardenCore, runtime: any ContainerRuntime, configuration: SchedulerConfiguration,
         sockets: SessionSockets, logger: Logger) {
        self.core = core
        self.runtime = runtime
        self.configuration = configuration
        self.sockets = sockets
        self.logger = logger
    }

    // MARK: start and stop

    /// Recovers from the previous run of warden, then follows the core's signals.
    func start() async {
        let (stream, continuation) = AsyncStream.makeStream(of: SessionSignal.self)
        core.signals.listen { continuation.yield($0) }
        await recover()
        rescheduleTasks()
        signalTask = Task { [weak self] in
            for await signal in stream {
                guard let self else { return }
                await self.handle(signal)
            }
        }
    }

    /// Stops every container. Runs in progress are resolved by the next start's recovery.
    func shutdown() async {
        isShuttingDown = true
        signalTask?.cancel()
        taskLoop?.cancel()
        for (session, var slot) in slots {
            slot.runTimer?.cancel()
            slot.idleTimer?.cancel()
            slot.waiter?.continuation.resume(returning: nil)
            slot.waiter = nil
            let id = slot.container.id
            slot.container = .none
            slot.generation = 0
            slots[session] = slot
            if let id { try? await runtime.stop(id) }
        }
    }

    func handle(_ signal: SessionSignal) async {
        switch signal {
        case .runQueued(let session), .runFinished(let session, _): await reconcile(session)
        case .sessionArchived(let session): await archive(session)
        case .tasksChanged: rescheduleTasks()
        }
    }

    // MARK: reconciling with the store

    /// Re-reads a session's runs and acts on what changed: new runs are queued, a run that
    /// finished without the agent (cancelled) stops the container working on it.
    func reconcile(_ session: String) async {
        let unfinished: [RunRecord]
        do {
            unfinished = try await core.read { try RunRepository($0).unfinished(session: session) }
        } catch {
            logger.error("could not read runs", metadata: ["session": "\(session)", "error": "\(error)"])
            return
        }
        var slot = slots[session] ?? SessionSlot()
        if let assigned = slot.assigned, !unfinished.contains(where: { $0.id == assigned }) {
            // Finished behind the agent's back: cancelled by a person, or the session archived.
            slot.assigned = nil
            slot.runTimer?.cancel()
            if slot.handedOut {
                slots[session] = slot
                stopContainer(session, reason: "run \(assigned) was cancelled")
                slot = slots[session] ?? slot
            }
            slot.handedOut = false
        }
        slot.queued = unfinished.filter { $0.status == RunStatus.queued.rawValue && $0.id != slot.assigned }.map(\.id)
        // Sessions with nothing going on are forgotten, so the table holds only live ones.
        slots[session] = slot.isEmpty ? nil : slot
        pump()
        armIdleTimerIfIdle(session)
    }

    func archive(_ session: String) async {
        await reconcile(session)
        if slots[session]?.container.exists == true { stopContainer(session, reason: "session archived") }
        slots[session]?.waiter?.continuation.resume(returning: nil)
        slots[session] = nil
        sockets.close(session)
    }

    // MARK: placing runs

    var containersInUse: Int { slots.values.filter { $0.container.exists }.count + stopping }

    /// Gives every session that has a queued run and nothing in progress its next run, oldest
    /// first, starting containers while there is capacity and stopping idle ones to make room.
    func pump() {
        guard !isShuttingDown else { return }
        let waiting = slots.filter { $0.value.assigned == nil && !$0.value.queued.isEmpty }
            .sorted { $0.value.queued[0] < $1.value.queued[0] } // ids are time-ordered
        for (session, slot) in waiting {
            if slot.container.exists {
                assign(session)
            } else if containersInUse < configuration.maxContainers {
                launch(session, attempt: 1)
                assign(session)
            } else if let victim = leastRecentlyUsedIdle() {
                stopContainer(victim, reason: "making room for another session")
                if containersInUse < configuration.maxContainers {
                    launch(session, attempt: 1)
                    assign(session)
                }
            }
        }
    }

    private func leastRecentlyUsedIdle() -> String? {
        slots.filter { $0.value.isIdle }.min { $0.value.lastUsed < $1.value.lastUsed }?.key
    }

    /// Makes the session's oldest queued run its current one; the agent fetches it next.
    private func assign(_ session: String) {
        guard var slot = slots[session], slot.assigned == nil, !slot.queued.isEmpty else { return }
        slot.assigned = slot.queued.removeFirst()
        slot.handedOut = false
        slot.idleTimer?.cancel()
        slot.idleTimer = nil
        slot.lastUsed = .now
        let waiter = slot.waiter
        slot.waiter = nil
        slots[session] = slot
        if let waiter {
            Task { waiter.continuation.resume(returning: await self.handOut(session)) }
        }
    }

    // MARK: the agent's side

    /// The agent's long-poll: the assigned run as soon as there is one, nil after `wait`.
    func nextWork(_ session: String, wait: Duration) async -> WorkItem? {
        guard !isShuttingDown else { return nil }
        if let slot = slots[session], slot.assigned != nil, !slot.handedOut {
            return await handOut(session)
        }
        nextWaiterID += 1
        let id = nextWaiterID
        return await withCheckedContinuation { continuation in
            var slot = slots[session] ?? SessionSlot()
            // One agent per session polls at a time; an older poll is answered empty.
            slot.waiter?.continuation.resume(returning: nil)
            slot.waiter = SessionSlot.Waiter(id: id, continuation: continuation)
            slots[session] = slot
            Task {
                try? await Task.sleep(for: wait)
                self.expireWaiter(session, id: id)
            }
        }
    }

    private func expireWaiter(_ session: String, id: UInt64) {
        guard let waiter = slots[session]?.waiter, waiter.id == id else { return }
        slots[session]?.waiter = nil
        waiter.continuation.resume(returning: nil)
    }

    /// Marks the assigned run in progress and builds its work item; starts its timeout.
    func handOut(_ session: String) async -> WorkItem? {
        guard var slot = slots[session], let runID = slot.assigned, !slot.handedOut else { return nil }
        slot.handedOut = true
        slot.crashesBeforeHandOut = 0
        slots[session] = slot
        do {
            guard let run = try await core.write({ try $0.startRun(runID) }) else {
                // Cancelled between assignment and hand-out.
                await reconcile(session)
                return nil
            }
            let agent = try await core.read { try SessionRepository($0).find(session)?.agent } ?? "{}"
            let messages = try await core.conversation(session: session, upTo: runID)
            armRunTimer(session, run: runID)
            return WorkItem(run: run, agent: WorkItem.agentConfiguration(agent, defaults: configuration),
                            messages: messages)
        } catch {
            logger.error("could not hand out a run", metadata: ["run": "\(runID)", "error": "\(error)"])
            await fail(session, run: runID, code: "internal", message: "Warden could not start the run: \(error).")
            return nil
        }
    }

    /// The agent is about to finish `run` itself: the container stays warm.
    func agentFinishing(_ session: String, run: String) {
        guard var slot = slots[session], slot.assigned == run else { return }
        slot.assigned = nil
        slot.handedOut = false
        slot.runTimer?.cancel()
        slot.runTimer = nil
        slot.lastUsed = .now
        slots[session] = slot
    }

    // MARK: failures

    /// Fails `run` with a clear error, stops the container working on it, and moves on.
    func fail(_ session: String, run: String, code: String, message: String, stopContainer stop: Bool = true) async {
        if slots[session]?.assigned == run {
            slots[session]?.assigned = nil
            slots[session]?.handedOut = false
            slots[session]?.runTimer?.cancel()
            if stop { stopContainer(session, reason: message) }
        }
        do {
            _ = try await core.write { try $0.failRun(run, code: code, message: message) }
        } catch {
            logger.error("could not fail a run", metadata: ["run": "\(run)", "error": "\(error)"])
        }
        await reconcile(session)
    }

    private func armRunTimer(_ session: String, run: String) {
        slots[session]?.runTimer?.cancel()
        let timeout = configuration.runTimeout
        slots[session]?.runTimer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self.runTimedOut(session, run: run)
        }
    }

    private func runTimedOut(_ session: String, run: String) async {
        guard slots[session]?.assigned == run else { return }
        logger.warning("run timed out", metadata: ["run": "\(run)", "session": "\(session)"])
        await fail(session, run: run, code: "run_timeout",
                   message: "The run did not finish within \(configuration.runTimeout); its container was stopped.")
    }

    func armIdleTimerIfIdle(_ session: String) {
        guard let slot = slots[session], slot.isIdle, slot.idleTimer == nil else { return }
        let timeout = configuration.idleTimeout
        let generation = slot.generation
        slots[session]?.idleTimer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            self.idleTimerFired(session, generation: generation)
        }
    }

    private func idleTimerFired(_ session: String, generation: Int) {
        guard let slot = slots[session], slot.generation == generation else { return }
        slots[session]?.idleTimer = nil
        guard slot.isIdle else { return }
        stopContainer(session, reason: "idle for \(configuration.idleTimeout)")
    }
}
