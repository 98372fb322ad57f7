import CLinux
import Foundation

/// Thin wrappers over the socket calls the server and client need, all non-blocking.
enum Sockets {
    static func listen(_ address: SocketAddress, backlog: Int32 = 4096) throws(SystemError) -> (fd: Int32, bound: SocketAddress) {
        switch address {
        case .unix(let path):
            // A stale socket file from a previous run would make bind fail with EADDRINUSE.
            if let attrs = try? FileManager.default.attributesOfItem(atPath: path),
               attrs[.type] as? FileAttributeType == .typeSocket {
                unlink(path)
            }
            let fd = clinux_listen_unix(path, backlog)
            guard fd >= 0 else { throw SystemError("listen(unix:\(path))") }
            return (fd, address)
        case .tcp(let host, let port):
            var addr = try resolve(host: host, port: port, passive: true)
            let fd = socket(Int32(addr.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SystemError("socket") }
            _ = clinux_set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            let length = socklen_t(addr.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 }
            }
            guard ok, Glibc.listen(fd, backlog) == 0 else {
                let error = SystemError("bind/listen(\(address))")
                close(fd)
                throw error
            }
            return (fd, .tcp(host: host, port: localPort(fd) ?? port))
        }
    }

    /// Starts a non-blocking connect; completion is signalled by writability.
    static func connect(_ address: SocketAddress) throws(SystemError) -> Int32 {
        switch address {
        case .unix(let path):
            let fd = clinux_connect_unix(path)
            guard fd >= 0 else { throw SystemError("connect(unix:\(path))") }
            return fd
        case .tcp(let host, let port):
            var addr = try resolve(host: host, port: port, passive: false)
            let fd = socket(Int32(addr.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SystemError("socket") }
            _ = clinux_set_int_option(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            let length = socklen_t(addr.ss_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
            }
            if rc != 0 && errno != EINPROGRESS {
                let error = SystemError("connect(\(address))")
                close(fd)
                throw error
            }
            return fd
        }
    }

    enum SendOutcome { case progressed, wouldBlock, failed(SystemError) }

    /// Writes `buffer[sent...]` until it is all sent or the socket is full; advances `sent`.
    /// `.progressed` means some bytes went out (or there was nothing to send) and none failed.
    static func send(_ fd: Int32, _ buffer: [UInt8], sent: inout Int) -> SendOutcome {
        var moved = false
        while sent < buffer.count {
            let offset = sent
            let n = buffer.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
                moved = true
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return moved ? .progressed : .wouldBlock
            } else {
                return .failed(SystemError("send"))
            }
        }
        return .progressed
    }

    /// An IPv4 or IPv6 literal: resolving it needs no DNS.
    static func isNumeric(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func resolve(host: String, port: Int, passive: Bool) throws(SystemError) -> sockaddr_storage {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw SystemError("getaddrinfo(\(host)): \(String(cString: gai_strerror(rc)))", errno: EINVAL)
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
        }
        return storage
    }

    static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        return port(of: storage)
    }

    static func port(of storage: sockaddr_storage) -> Int? {
        var s = storage
        switch Int32(s.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default: return nil
        }
    }

    /// The NUL-terminated text inet_ntop wrote into `buffer`.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "ip:port" for logs and `Request.remoteAddress`; "unix" for unix sockets.
    static func describe(_ storage: sockaddr_storage) -> String {
        var s = storage
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(s.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                    var a = p.pointee.sin_addr
                    inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count))
                    return "\(Self.text(buf)):\(UInt16(bigEndian: p.pointee.sin_port))"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var a = p.pointee.sin6_addr
                    inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count))
                    return "[\(Self.text(buf))]:\(UInt16(bigEndian: p.pointee.sin6_port))"
                }
            }
        default: return "unix"
        }
    }
}
