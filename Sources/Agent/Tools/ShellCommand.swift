import CLinux
import Foundation

/// Runs `/bin/bash -c` in its own process group with output (stdout and stderr together) read
/// on a dedicated thread, so a long command never holds a thread of the cooperative pool. On
/// timeout or cancellation the whole group is killed, not only bash.
struct ShellCommand: Sendable {
    enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
    }

    struct Result: Sendable {
        var output: String
        var ending: Ending
    }

    var command: String
    var directory: String
    var timeout: Duration
    var outputLimit = 32 * 1024

    func run() async throws(SpawnFailure) -> Result {
        let (pid, outputFD) = try spawn()
        let running = RunningCommand(pid: pid, outputFD: outputFD, timeout: timeout, outputLimit: outputLimit)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: running.wait()) }.start()
            }
        } onCancel: {
            running.killGroup()
        }
    }

    private func spawn() throws(SpawnFailure) -> (pid_t, Int32) {
        var fds: [Int32] = [0, 0]
        // A socket pair rather than a pipe: SOCK_CLOEXEC keeps our end out of every child.
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SpawnFailure(errno: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new process group (its id is bash's pid) so a timeout can kill everything bash
        // started; default signal handling, as the agent itself ignores SIGPIPE.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)

        // posix_spawn cannot change directory portably; an outer bash does, then becomes the
        // inner one (exec keeps the pid and group), so the command runs exactly as written.
        let arguments = ["/bin/bash", "-c", "cd -- \"$0\" && exec /bin/bash -c \"$1\"", directory, command]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let spawned = ChildProcesses.shared.spawn {
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, environ)
            return rc == 0 ? .success(pid) : .failure(SpawnFailure(errno: rc))
        }
        close(fds[1])
        switch spawned {
        case .success(let pid): return (pid, fds[0])
        case .failure(let failure):
            close(fds[0])
            throw failure
        }
    }
}

/// A spawned command being waited for, on its own thread.
private final class RunningCommand: Sendable {
    let pid: pid_t
    let outputFD: Int32
    let timeout: Duration
    let outputLimit: Int

    init(pid: pid_t, outputFD: Int32, timeout: Duration, outputLimit: Int) {
        self.pid = pid
        self.outputFD = outputFD
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    func killGroup() { ChildProcesses.shared.killGroup(pid) }

    /// Reads output until bash has exited and the output is drained, or the timeout passes.
    func wait() -> ShellCommand.Result {
        defer { close(outputFD) }
        let deadline = ContinuousClock.now + timeout
        var collector = OutputCollector(limit: outputLimit)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var status: Int32?
        var endOfOutput = false
        while true {
            if status == nil { status = reapIfExited() }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                guard status != nil else {
                    killGroup()
                    _ = reap()
                    return ShellCommand.Result(output: collector.text, ending: .timedOut)
                }
                break // bash is done; a background child still writing does not extend the timeout
            }
            if endOfOutput && status != nil { break }
            // While bash runs, wake now and then to notice its exit even if a background child
            // keeps the output open; once it has exited, take only what is already there.
            let remainingMilliseconds = Int((remaining / .milliseconds(1)).rounded(.up))
            let waitMilliseconds = status != nil ? 50 : min(100, max(1, remainingMilliseconds))
            if endOfOutput {
                usleep(UInt32(waitMilliseconds) * 1000)
                continue
            }
            var poller = pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(waitMilliseconds))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 {
                if status != nil { break } // exited; what a background child may write later is not ours
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
            if n > 0 {
                buffer.withUnsafeBytes { collector.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                endOfOutput = true
            }
        }
        return ShellCommand.Result(output: collector.text, ending: Self.ending(status!))
    }

    private func reapIfExited() -> Int32? { ChildProcesses.shared.exitStatus(of: pid) }

    /// After SIGKILL to the group, bash is gone in moments.
    private func reap() -> Int32 {
        while true {
            if let status = reapIfExited() { return status }
            usleep(5_000)
        }
    }

    private static func ending(_ raw: Int32) -> ShellCommand.Ending {
        let signal = raw & 0x7F
        return signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
    }
}
