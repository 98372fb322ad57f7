import Foundation
import HTTP

/// A blocking unix-socket client playing the agent; blocking calls run on threads of their own.
final class UnixClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    private let lock = NSLock()

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            Glibc.close(fd)
            throw SystemError("connect")
        }
    }

    func close() { Glibc.close(fd) }
    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    func send(_ text: String) async throws {
        let bytes = Array(text.utf8)
        try await offload { [fd] in
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw SystemError("send") }
                sent += n
            }
        }
    }

    /// The status and header fields of a response head.
    func readHead() async throws -> (Int, [(String, String)]) {
        try await offload { [self] in
            while true {
                if let end = find([13, 10, 13, 10]) {
                    let head = String(decoding: take(end + 4), as: UTF8.self)
                    var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                    let status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
                    let fields = lines.map { line -> (String, String) in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
                    }
                    return (status, fields)
                }
                guard try fill() else { throw SystemError("closed before the head", errno: ECONNRESET) }
            }
        }
    }

    func read(_ count: Int) async throws -> String {
        try await offload { [self] in
            while lock.withLock({ buffer.count }) < count {
                guard try fill() else { throw SystemError("closed early", errno: ECONNRESET) }
            }
            return String(decoding: take(count), as: UTF8.self)
        }
    }

    func readToEnd() async throws -> String {
        try await offload { [self] in
            while try fill() {}
            return String(decoding: take(lock.withLock { buffer.count }), as: UTF8.self)
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        lock.withLock {
            guard buffer.count >= needle.count else { return nil }
            return (0...(buffer.count - needle.count)).first { Array(buffer[$0..<($0 + needle.count)]) == needle }
        }
    }

    private func take(_ count: Int) -> [UInt8] {
        lock.withLock {
            let out = Array(buffer[0..<count])
            buffer.removeFirst(count)
            return out
        }
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n > 0 {
            lock.withLock { buffer.append(contentsOf: chunk[0..<n]) }
            return true
        }
        if n == 0 || errno == ECONNRESET { return false }
        throw SystemError("recv")
    }

    private func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            Thread { c.resume(with: Result { try work() }) }.start()
        }
    }
}
