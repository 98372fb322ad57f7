import Foundation

/// A child process for tests, started with posix_spawn. Foundation's `Process.run()` can crash
/// when two tests launch processes at the same moment (seen here as a SIGSEGV inside its memcpy);
/// posix_spawn has no such shared state. Output is collected by a reader thread, line by line.
public final class ChildProcess: @unchecked Sendable {
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
    }

    public let pid: pid_t
    private let lock = NSLock()
    private var collected: [String] = []
    private var errorText = ""
    private var status: Termination?
    private let outputDone = DispatchSemaphore(value: 0)
    private let errorDone = DispatchSemaphore(value: 0)

    /// Starts `executable`; with `mergeStandardError`, stderr lines are collected with stdout's.
    public init(_ executable: String, _ arguments: [String], mergeStandardError: Bool = false) throws {
        // Socket pairs rather than pipes: SOCK_CLOEXEC sets close-on-exec atomically, so a child
        // another test spawns at the same moment cannot inherit these ends.
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &out) == 0, socketpair(AF_UNIX, type, 0, &err) == 0 else {
            throw POSIXError(.EMFILE)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, mergeStandardError ? out[1] : err[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(out[1]); close(err[1])
        guard rc == 0 else {
            close(out[0]); close(err[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .ENOENT)
        }
        pid = child
        let outFD = out[0], errFD = err[0]
        Thread { [self] in
            readLines(outFD, keepPartial: false) { line in self.lock.withLock { self.collected.append(line) } }
            outputDone.signal()
        }.start()
        Thread { [self] in
            readLines(errFD, keepPartial: true) { line in self.lock.withLock { self.errorText += line + "\n" } }
            errorDone.signal()
        }.start()
    }

    /// Complete lines of standard output so far (a final line without its newline is not one).
    public var lines: [String] { lock.withLock { collected } }
    public var standardError: String { lock.withLock { errorText } }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Whether the child is still running (reaps it if it has ended).
    public var isRunning: Bool {
        lock.withLock {
            if status != nil { return false }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
            status = Self.decode(raw)
            return false
        }
    }

    /// Waits (off the cooperative pool) for the child to end and its output to be read.
    public func waitForExit() async -> Termination {
        await withCheckedContinuation { (continuation: CheckedContinuation<Termination, Never>) in
            Thread { [self] in
                let known = lock.withLock { status }
                var result = known
                if result == nil {
                    var raw: Int32 = 0
                    while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
                    result = Self.decode(raw)
                    lock.withLock { status = result }
                }
                outputDone.wait(); outputDone.signal()
                errorDone.wait(); errorDone.signal()
                continuation.resume(returning: result!)
            }.start()
        }
    }

    private static func decode(_ raw: Int32) -> Termination {
        let signal = raw & 0x7F
        return signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
    }

    private func readLines(_ fd: Int32, keepPartial: Bool, _ onLine: (String) -> Void) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer.append(contentsOf: chunk[0..<n])
            while let newline = buffer.firstIndex(of: 0x0A) {
                onLine(String(decoding: buffer[..<newline], as: UTF8.self))
                buffer.removeSubrange(...newline)
            }
        }
        if keepPartial && !buffer.isEmpty { onLine(String(decoding: buffer, as: UTF8.self)) }
        close(fd)
    }
}
