import CLinux
import Foundation

/// Connects a non-blocking TCP socket and waits for the connect to finish, for callers that
/// need a connected socket before they answer (a CONNECT tunnel's upstream). The wait runs on
/// a thread of its own (poll), never on an event loop or the cooperative pool.
public enum SocketDialer {
    /// `address` must not need DNS (a numeric host or a unix path). Returns a connected,
    /// non-blocking, close-on-exec descriptor the caller owns.
    public static func connect(_ address: SocketAddress, timeout: Duration) async throws(SystemError) -> Int32 {
        if case .tcp(let host, _) = address, !Sockets.isNumeric(host) {
            throw SystemError("connect(\(address)): the host must be an address", errno: EINVAL)
        }
        let fd = try Sockets.connect(address)
        let result = await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            Thread {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let milliseconds = Int32(clamping: timeout.components.seconds * 1000
                    + timeout.components.attoseconds / 1_000_000_000_000_000)
                var rc: Int32
                repeat { rc = poll(&pfd, 1, milliseconds) } while rc < 0 && errno == EINTR
                guard rc > 0 else { c.resume(returning: rc == 0 ? ETIMEDOUT : errno); return }
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { c.resume(returning: errno); return }
                c.resume(returning: error)
            }.start()
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw SystemError("connect(\(address))", errno: result)
        }
        return fd
    }
}
