import Core
import Foundation

/// Scheduled tasks: each due time posts the task's prompt to its session (a run like any other).
/// The store decides what is due; `fireTask` consumes a due time in the same transaction that
/// queues the run, so a time fires once even across a crash or restart.
extension Scheduler {
    /// (Re)starts the loop that sleeps until the next due task; called at start and whenever tasks change.
    func rescheduleTasks() {
        taskLoop?.cancel()
        taskLoop = Task { await self.runDueTasks() }
    }

    private func runDueTasks() async {
        while !Task.isCancelled && !isShuttingDown {
            let next: String?
            do {
                let (due, upcoming) = try await core.dueTasks()
                for task in due {
                    guard let dueAt = task.nextFireAt else { continue }
                    if let run = try await core.write({ try $0.fireTask(task.id, dueAt: dueAt) }) {
                        logger.info("scheduled task fired", metadata: ["task": "\(task.id)", "run": "\(run.id)"])
                    }
                }
                next = due.isEmpty ? upcoming : try await core.dueTasks().next
            } catch {
                logger.error("could not run scheduled tasks", metadata: ["error": "\(error)"])
                next = nil
            }
            // Wake at the next due time, and at least every minute (the clock may jump).
            var wait = Duration.seconds(60)
            if let next, let date = Timestamp.parse(next) {
                wait = min(wait, .milliseconds(max(0, Int((date.timeIntervalSinceNow * 1000).rounded(.up)))))
            }
            try? await Task.sleep(for: wait)
        }
    }
}
