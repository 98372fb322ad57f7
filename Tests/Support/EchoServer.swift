import Foundation
import Synchronization

/// A blocking TCP echo server on 127.0.0.1 for tunnel tests: a thread per connection echoes
/// until EOF, then closes. Its sockets are close-on-exec, so no child process keeps them open.
public final class EchoServer: Sendable {
    public struct Failure: Error { public let errno: Int32 }

    public let port: Int
    private let fd: Int32
    private let connections = Mutex(0)

    /// Connections accepted so far.
    public var accepted: Int { connections.withLock { $0 } }

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ready else {
            let code = errno
            close(fd)
            throw Failure(errno: code)
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    private func acceptLoop() {
        while true {
            let conn = accept(fd, nil, nil)
            if conn < 0 { if errno == EINTR { continue }; return }
            _ = fcntl(conn, F_SETFD, FD_CLOEXEC)
            connections.withLock { $0 += 1 }
            Thread { Self.echo(conn) }.start()
        }
    }

    private static func echo(_ conn: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        copying: while true {
            let n = buffer.withUnsafeMutableBytes { recv(conn, $0.baseAddress!, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            var sent = 0
            while sent < n {
                let w = buffer.withUnsafeBytes { send(conn, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { break copying }
                sent += w
            }
        }
        close(conn)
    }

    /// Stops accepting (connections already open echo on until their EOF).
    public func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
