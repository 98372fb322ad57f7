import CLinux
import Foundation
import HTTP
import Synchronization

/// The container's HTTP(S) proxy address (127.0.0.1:3128): every accepted TCP connection is
/// spliced byte for byte to the credential proxy's unix socket, which does the actual proxying.
/// Plain blocking threads (one accept thread, two per connection): few connections, and the
/// simplest code that is obviously right about half-closes.
public final class Relay: Sendable {
    public let address: SocketAddress
    private let listenFD: Int32
    private let upstream: String
    private let log: EventLog
    private let closed = Atomic(false)
    /// Whether `listenFD` is still open. `close()` shuts it down and the accept loop closes it,
    /// both under this lock, so a shutdown never reaches the number after the loop closed it
    /// (by then it may be another thread's socket, which the shutdown would cut).
    private let listening = Mutex(true)

    public init(listen: SocketAddress, upstream unixPath: String, log: EventLog = .standardError) throws(RelayError) {
        guard case .tcp(let host, let port) = listen else { throw .unsupportedAddress(listen.description) }
        (listenFD, address) = try Self.listen(host: host, port: port)
        upstream = unixPath
        self.log = log
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "relay-accept"
        thread.start()
    }

    /// Stops accepting; connections already spliced run to their end.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        listening.withLock { open in
            if open { _ = shutdown(listenFD, Int32(SHUT_RDWR)) } // wakes the blocked accept
        }
    }

    private func acceptLoop() {
        defer {
            listening.withLock { open in
                open = false
                Glibc.close(listenFD)
            }
        }
        while !closed.load(ordering: .acquiring) {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = clinux_accept(listenFD, &storage, &length) // close-on-exec from the start
            if client < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EAGAIN: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: usleep(100_000) // wait for descriptors to free up
                default: return // shut down
                }
                continue
            }
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) & ~O_NONBLOCK)
            // Without it the last small write of a response (a chunked body's terminator) waits
            // for the client's delayed ACK: about 40 ms per response (bench/proxy.sh).
            _ = clinux_set_int_option(client, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            let proxy: Int32
            do { proxy = try Self.connectUnix(upstream) } catch {
                log.warning("relay.upstream_unreachable", ["socket": .string(upstream), "error": .string(error.description)])
                Glibc.close(client)
                continue
            }
            Splice.start(client, proxy)
        }
    }

    private static func listen(host: String, port: Int) throws(RelayError) -> (Int32, SocketAddress) {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        var family = AF_INET6
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, host, &address.sin6_addr) != 1 {
            throw .unsupportedAddress("\(host):\(port) (the relay takes a numeric IP address)")
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(SystemError("socket")) }
        _ = clinux_set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        let bound: Bool
        if family == AF_INET {
            var address4 = sockaddr_in()
            address4.sin_family = sa_family_t(AF_INET)
            address4.sin_port = in_port_t(UInt16(port).bigEndian)
            address4.sin_addr = v4
            bound = withUnsafePointer(to: &address4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        } else {
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
            }
        }
        guard bound, Glibc.listen(fd, 128) == 0 else {
            let error = SystemError("bind/listen(\(host):\(port))")
            Glibc.close(fd)
            throw .system(error)
        }
        return (fd, .tcp(host: host, port: boundPort(fd) ?? port))
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        return withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port sit at the same offset, right after the family.
            Int(UInt16(bigEndian: raw.load(fromByteOffset: MemoryLayout<sa_family_t>.size, as: UInt16.self)))
        }
    }

    /// A blocking connect to a unix socket, close-on-exec.
    static func connectUnix(_ path: String) throws(SystemError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw SystemError("connect(unix:\(path))", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard connected else {
            let error = SystemError("connect(unix:\(path))")
            Glibc.close(fd)
            throw error
        }
        return fd
    }
}

public enum RelayError: Error, Sendable, CustomStringConvertible {
    case unsupportedAddress(String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .unsupportedAddress(let address): return "the relay cannot listen on \(address)"
        case .system(let error): return error.description
        }
    }
}
