import Core
import Foundation
import Store

/// Container lifecycle: start with retries, crash detection, stop.
extension Scheduler {
    /// Reserves a container for `session` and starts it in the background.
    func launch(_ session: String, attempt: Int) {
        guard var slot = slots[session] else { return }
        generations += 1
        slot.generation = generations
        slot.container = .starting(attempt: attempt)
        let generation = slot.generation
        slots[session] = slot
        Task { await self.startContainer(session, generation: generation, attempt: attempt) }
    }

    private func startContainer(_ session: String, generation: Int, attempt: Int) async {
        let directories = SessionDirectories(root: configuration.dataDirectory, session: session)
        let request = SessionContainer(sessionID: session, instance: configuration.instanceID, image: configuration.image,
                                       workspace: directories.workspace.path, runDirectory: directories.run.path,
                                       caCertificate: configuration.caCertificate,
                                       environment: configuration.containerEnvironment, command: configuration.command,
                                       limits: configuration.limits)
        let started: RunningContainer
        do {
            try directories.create()
            try sockets.ensureListening(session, in: directories)
            started = try await runtime.start(request)
        } catch {
            await startFailed(session, generation: generation, attempt: attempt, error: error)
            return
        }
        guard slots[session]?.generation == generation, !isShuttingDown else {
            // Stopped or replaced while it was starting.
            stopping += 1
            try? await runtime.stop(started.id)
            stopping -= 1
            pump()
            return
        }
        slots[session]?.container = .running(started)
        logger.info("container started", metadata: ["session": "\(session)", "container": "\(started.id.prefix(12))"])
        Task {
            let code = (try? await started.exitCode()) ?? -1
            await self.containerExited(session, generation: generation, code: code)
        }
        armIdleTimerIfIdle(session)
    }

    private func startFailed(_ session: String, generation: Int, attempt: Int, error: any Error) async {
        guard slots[session]?.generation == generation else { return }
        logger.warning("container did not start", metadata: ["session": "\(session)", "attempt": "\(attempt)",
                                                             "error": "\(error)"])
        guard let run = slots[session]?.assigned, slots[session]?.handedOut == false else {
            slots[session]?.container = .none
            pump()
            return
        }
        if attempt < configuration.startAttempts {
            await retryAfterBackoff(session, generation: generation, attempt: attempt)
        } else {
            slots[session]?.container = .none
            await fail(session, run: run, code: "container_start_failed",
                       message: "The agent container could not be started (\(attempt) attempts): \(error)",
                       stopContainer: false)
        }
    }

    /// Waits `startBackoff × 2^(attempt-1)` keeping the capacity reserved, then starts again.
    private func retryAfterBackoff(_ session: String, generation: Int, attempt: Int) async {
        let delay = configuration.startBackoff * (1 << (attempt - 1))
        slots[session]?.container = .starting(attempt: attempt + 1)
        try? await Task.sleep(for: delay)
        guard slots[session]?.generation == generation, !isShuttingDown else { return }
        await startContainer(session, generation: generation, attempt: attempt + 1)
    }

    /// A container ended without warden stopping it: a crash, an out-of-memory kill, or the agent exiting.
    func containerExited(_ session: String, generation: Int, code: Int) async {
        guard var slot = slots[session], slot.generation == generation else { return } // stopped on purpose
        logger.warning("container exited", metadata: ["session": "\(session)", "status": "\(code)"])
        slot.dropContainer()
        let attempt = slot.crashesBeforeHandOut + 1
        slots[session] = slot
        guard let run = slot.assigned else {
            pump()
            return
        }
        if slot.handedOut {
            // The agent had the run: its tools may have had effects, so it is not retried.
            slots[session]?.crashesBeforeHandOut = 0
            await fail(session, run: run, code: "container_exited",
                       message: "The agent container exited with status \(code) while working on this run.",
                       stopContainer: false)
        } else if attempt < configuration.startAttempts {
            // It died before taking the run: starting again is safe.
            slots[session]?.crashesBeforeHandOut = attempt
            launch(session, attempt: attempt + 1)
        } else {
            slots[session]?.crashesBeforeHandOut = 0
            await fail(session, run: run, code: "container_exited",
                       message: "The agent container exited with status \(code) before taking the run (\(attempt) attempts).",
                       stopContainer: false)
        }
    }

    /// Kills and removes the session's container (its workspace stays). The container counts
    /// against the limit until Docker has removed it.
    func stopContainer(_ session: String, reason: String) {
        guard var slot = slots[session], slot.container.exists else { return }
        let id = slot.container.id
        slot.dropContainer()
        slots[session] = slot
        guard let id else { return } // still starting: startContainer sees the new generation and stops it
        logger.info("stopping container", metadata: ["session": "\(session)", "reason": "\(reason)"])
        stopping += 1
        Task {
            try? await runtime.stop(id)
            self.containerRemoved()
        }
    }

    private func containerRemoved() {
        stopping -= 1
        pump()
    }

    // MARK: recovery

    /// After a restart: remove this instance's containers (nothing tracks them any more),
    /// resolve runs that were in progress, and queue the rest again.
    func recover() async {
        do {
            let orphans = try await runtime.labelledContainers(instance: configuration.instanceID)
            for (id, session) in orphans {
                logger.info("removing orphaned container", metadata: ["container": "\(id.prefix(12))", "session": "\(session)"])
                try? await runtime.stop(id)
            }
        } catch {
            logger.error("could not list containers to recover", metadata: ["error": "\(error)"])
        }
        do {
            let interrupted = try await core.read { db in
                try RunRepository(db).all(status: RunStatus.in_progress.rawValue)
                    + RunRepository(db).all(status: RunStatus.requires_action.rawValue)
            }
            for run in interrupted {
                _ = try await core.write {
                    try $0.failRun(run.id, code: "interrupted",
                                   message: "Warden restarted while this run was in progress. It was not retried because its tools may already have had effects; send the message again to retry.")
                }
            }
            let queued = try await core.read { try RunRepository($0).sessionsWithQueuedRuns() }
            await reconcile(Set(queued))
        } catch {
            logger.error("could not recover runs", metadata: ["error": "\(error)"])
        }
    }
}
