import Foundation
import Synchronization

/// The commands the agent has started, for reaping and killing them. Normally each command is
/// reaped by its own waitpid. As PID 1 of its container the agent also inherits every orphan,
/// which only a waitpid(-1) loop reaps; that loop then collects the commands' statuses too and
/// keeps them here until their waiter asks.
final class ChildProcesses: Sendable {
    static let shared = ChildProcesses()

    private struct State {
        var running: Set<pid_t> = []
        var exited: [pid_t: Int32] = [:]
        var reapsEverything = false
    }

    private let state = Mutex(State())
    private let spawned = DispatchSemaphore(value: 0)

    /// Starts reaping every child, including orphans re-parented to this process.
    func reapEveryChild() {
        let start = state.withLock { s -> Bool in
            defer { s.reapsEverything = true }
            return !s.reapsEverything
        }
        guard start else { return }
        let thread = Thread { [self] in reapLoop() }
        thread.name = "child-reaper"
        thread.start()
    }

    /// Registers the pid `spawn` returns while holding the lock, so the reaper cannot collect
    /// the child before it is known.
    func spawn(_ spawn: () -> Result<pid_t, SpawnFailure>) -> Result<pid_t, SpawnFailure> {
        let result = state.withLock { s in
            let result = spawn()
            if case .success(let pid) = result { s.running.insert(pid) }
            return result
        }
        spawned.signal()
        return result
    }

    /// The raw wait status once the command has exited; nil while it runs.
    func exitStatus(of pid: pid_t) -> Int32? {
        state.withLock { s in
            if s.reapsEverything {
                guard let status = s.exited.removeValue(forKey: pid) else { return nil }
                s.running.remove(pid)
                return status
            }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            s.running.remove(pid)
            return raw
        }
    }

    /// Kills the command's process group, unless it was reaped (its id may be reused by then).
    func killGroup(_ pid: pid_t) {
        state.withLock { s in if s.running.contains(pid) { kill(-pid, SIGKILL) } }
    }

    /// Kills every command still running, when the agent stops.
    func killAll() {
        state.withLock { s in for pid in s.running { kill(-pid, SIGKILL) } }
    }

    private func reapLoop() {
        while true {
            var raw: Int32 = 0
            let pid = waitpid(-1, &raw, 0)
            if pid > 0 {
                state.withLock { s in if s.running.contains(pid) { s.exited[pid] = raw } }
            } else if errno == ECHILD {
                spawned.wait() // no children at all until the next command starts
            }
        }
    }
}

struct SpawnFailure: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { "could not start /bin/bash: \(String(cString: strerror(errno)))" }
}
