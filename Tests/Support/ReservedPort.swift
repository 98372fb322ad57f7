import Foundation

/// A TCP port on 127.0.0.1 where nothing listens and nothing else can: a socket bound to it
/// (without SO_REUSEADDR) that never calls listen, so a connect is refused. A listener that
/// is bound and then closed frees its port, and with tests running in parallel the kernel can
/// give it to another test's server at once, which then answers instead of the refusal.
public final class ReservedPort: @unchecked Sendable {
    public struct Failure: Error { public let errno: Int32 }

    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw Failure(errno: code)
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
