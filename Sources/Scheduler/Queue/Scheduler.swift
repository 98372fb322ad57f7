import Core
import Foundation
import Logging
import Store

/// Runs the queued runs of every session in containers (SPEC §4): one run at a time per
/// session in order, at most `maxContainers` containers, a container started on demand, kept
/// warm and stopped when idle, every run bounded by a wall-clock timeout, crashes detected.
///
/// The store is the source of truth. Signals from the core only say which session changed;
/// the scheduler then re-reads that session (`reconcile`), so nothing depends on signal order
/// (a run appended behind the part of the queue it holds is read later, see `handle`).
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
    /// Sessions being read by `reconcile`, and how many reads of each.
    private var readsUnderWay: [String: Int] = [:]
    /// Told which sessions each `reconcile` reads: lets a test see a read that was skipped.
    private var queueReadObserver: (@Sendable (Set<String>) -> Void)?
    private let inbox = SignalInbox()
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
        let inbox = self.inbox
        core.signals.listen { inbox.post($0) }
        await recover()
        rescheduleTasks()
        signalTask = Task { [weak self] in
            while let batch = await inbox.next() {
                guard let self else { return }
                await self.handle(batch)
            }
        }
    }

    /// Stops every container. Runs in progress are resolved by the next start's recovery.
    func shutdown() async {
        isShuttingDown = true
        inbox.close()
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

    func handle(_ batch: SignalInbox.Batch) async {
        if batch.tasksChanged { rescheduleTasks() }
        for session in batch.archived { await archive(session) }
        let appended = batch.appended.filter { !holdsFullQueueHead($0) }
        await reconcile(batch.changed.union(appended).subtracting(batch.archived))
    }

    /// A run appended behind a queue head the slot already holds whole changes nothing the
    /// scheduler does, so the session is not read again: the run is read when the head moves
    /// up to it (the next read after a run finishes, or after one is handed out and the slot
    /// holds less). Not while a read of the session is under way, since its older picture may
    /// yet replace the slot's.
    private func holdsFullQueueHead(_ session: String) -> Bool {
        guard let slot = slots[session], readsUnderWay[session] == nil else { return false }
        return slot.queued.count >= QueueSnapshot.depth
    }

    // MARK: reconciling with the store

    func reconcile(_ session: String) async { await reconcile([session]) }

    /// Re-reads the sessions' runs (in one read) and acts on what changed: new runs are
    /// queued, a run that finished without the agent (cancelled) stops the container working
    /// on it. Reads only the head of each queue, so a long backlog costs nothing per message.
    func reconcile(_ sessions: Set<String>) async {
        guard !sessions.isEmpty else { return }
        let asked = sessions.map { (session: $0, assigned: slots[$0]?.assigned) }
        queueReadObserver?(sessions)
        for session in sessions { readsUnderWay[session, default: 0] += 1 }
        defer {
            for session in sessions {
                readsUnderWay[session] = readsUnderWay[session].flatMap { $0 > 1 ? $0 - 1 : nil }
            }
        }
        let snapshots: [String: QueueSnapshot]
        do {
            snapshots = try await core.read { db in
                let runs = RunRepository(db)
                var snapshots: [String: QueueSnapshot] = [:]
                for (session, assigned) in asked {
                    let assignedStatus = try assigned.flatMap { try runs.find($0) }.flatMap { RunStatus(rawValue: $0.status) }
                    snapshots[session] = QueueSnapshot(
                        assigned: assigned, assignedFinished: assigned != nil && assignedStatus?.isFinal != false,
                        queued: try runs.queuedIDs(session: session, limit: QueueSnapshot.depth + 1))
                }
                return snapshots
            }
        } catch {
            logger.error("could not read runs", metadata: ["sessions": "\(sessions.sorted())", "error": "\(error)"])
            return
        }
        for (session, snapshot) in snapshots { apply(snapshot, to: session) }
        pump()
        for session in sessions { armIdleTimerIfIdle(session) }
    }

    func observeQueueReads(_ observer: @escaping @Sendable (Set<String>) -> Void) { queueReadObserver = observer }

    private func apply(_ snapshot: QueueSnapshot, to session: String) {
        var slot = slots[session] ?? SessionSlot()
        // Compared with the run asked about: another may have been assigned during the read.
        if let assigned = slot.assigned, assigned == snapshot.assigned, snapshot.assignedFinished {
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
        slot.queued = Array(snapshot.queued.filter { $0 != slot.assigned }.prefix(QueueSnapshot.depth))
        // Sessions with nothing going on are forgotten, so the table holds only live ones.
        slots[session] = slot.isEmpty ? nil : slot
    }

    func archive(_ session: String) async {
        await reconcile(session)
        if slots[session]?.container.exists == true { stopContainer(session, reason: "session archived") }
        slots[session]?.waiter?.continuation.resume(returning: nil)
        slots[session] = nil
        sockets.close(session)
    }

    // MARK: placing runs

    var containersInUse: Int { slots.values.reduce(stopping) { $0 + ($1.container.exists ? 1 : 0) } }

    /// Gives every session that has a queued run and nothing in progress its next run, oldest
    /// first, starting containers while there is capacity and stopping idle ones to make room
    /// (a stopped one counts until Docker has removed it; its removal pumps again).
    /// One pass: O(sessions · log sessions), whatever the backlog.
    func pump() {
        guard !isShuttingDown else { return }
        let waiting = slots.compactMap { session, slot in
            slot.assigned == nil ? slot.queued.first.map { (session: session, oldest: $0) } : nil
        }.sorted { $0.oldest < $1.oldest } // ids are time-ordered
        guard !waiting.isEmpty else { return }
        var inUse = containersInUse
        var idle: ArraySlice<String>? // least recently used first; listed when first needed
        for (session, _) in waiting {
            if slots[session]?.container.exists == true {
                assign(session)
            } else if inUse < configuration.maxContainers {
                launch(session, attempt: 1)
                assign(session)
                inUse += 1
            } else {
                if idle == nil { idle = idleSessionsLeastRecentlyUsedFirst() }
                if let victim = idle?.popFirst() { stopContainer(victim, reason: "making room for another session") }
            }
        }
    }

    private func idleSessionsLeastRecentlyUsedFirst() -> ArraySlice<String> {
        ArraySlice(slots.compactMap { $1.isIdle ? (session: $0, lastUsed: $1.lastUsed) : nil }
            .sorted { $0.lastUsed < $1.lastUsed }.map(\.session))
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
