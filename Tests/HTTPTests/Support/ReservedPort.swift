import CLinux
import Foundation
@testable import HTTP

/// A TCP port on 127.0.0.1 where nothing listens and nothing else can: a socket bound to it
/// (without SO_REUSEADDR) that never calls listen, so a connect is refused. A listener that
/// is bound and then closed frees its port, and with tests running in parallel the kernel can
/// give it to another test's server at once, which then answers instead of the refusal.
final class ReservedPort: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RawClientError.connectFailed(errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, let port = Sockets.localPort(fd) else {
            let code = errno
            Glibc.close(fd)
            throw RawClientError.connectFailed(errno: code)
        }
        self.fd = fd
        self.port = port
    }

    deinit { Glibc.close(fd) }
}
