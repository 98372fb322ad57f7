// CLinux as well as Glibc: CLinux's module includes <sys/socket.h>, and in a clean build the
// compiler job holding this file could otherwise not find SOCK_STREAM (seen in CI).
import CLinux
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum RawClientError: Error, Equatable, CustomStringConvertible {
    case connectFailed(errno: Int32)
    case sendFailed(errno: Int32)
    case receiveFailed(errno: Int32)
    /// No byte arrived within the receive timeout.
    case timedOut(partial: Int)
    /// The server closed the connection before a complete response arrived.
    case closedEarly(partial: Int)
    case malformed(String)

    var description: String {
        switch self {
        case .connectFailed(let e): return "connect failed: \(String(cString: strerror(e)))"
        case .sendFailed(let e): return "send failed: \(String(cString: strerror(e)))"
        case .receiveFailed(let e): return "recv failed: \(String(cString: strerror(e)))"
        case .timedOut(let n): return "timed out waiting for the server (\(n) bytes buffered)"
        case .closedEarly(let n): return "connection closed before the response was complete (\(n) bytes buffered)"
        case .malformed(let what): return "malformed response: \(what)"
        }
    }
}

/// One response as it came off the wire.
struct RawResponse: Sendable, CustomStringConvertible {
    var version: String
    var status: Int
    var reason: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Whether the body was sent with `Transfer-Encoding: chunked`.
    var chunked: Bool
    var trailers: [(name: String, value: String)] = []

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    var bodyString: String { String(decoding: body, as: UTF8.self) }

    /// `Connection: close` is present.
    var closes: Bool {
        headerValues("Connection").flatMap { $0.lowercased().split(separator: ",") }
            .contains { $0.trimmingCharacters(in: .whitespaces) == "close" }
    }

    /// The body as a JSON object, if it is one.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    var description: String {
        "\(version) \(status) \(reason) \(headers.map { "\($0.name): \($0.value)" }) body=\(bodyString.prefix(300))"
    }
}

/// A blocking POSIX socket client that speaks raw bytes, so tests can send anything
/// (malformed heads, pieces, pipelined batches) and see exactly what comes back.
/// Every read is bounded by SO_RCVTIMEO, so a test fails instead of hanging.
/// Its socket is close-on-exec: a child that another test starts meanwhile (bash, warden serve,
/// an exit test) would otherwise keep the connection open after `close()`.
///
/// The blocking calls run on a dedicated thread (the async methods), never on the Swift
/// concurrency pool: with two cores that pool has two threads, and a test blocked in
/// recv there would starve the server's `.async` handlers.
final class RawClient: @unchecked Sendable {
    let fd: Int32
    /// Once `startTLS` succeeded, every read and write goes through this session.
    var tls: RawTLSSession?
    private var buffer: [UInt8] = []
    private(set) var receiveTimeout: Double

    /// TCP to 127.0.0.1:`port`. `receiveBuffer` sets SO_RCVBUF before connecting
    /// (which also turns off receive-buffer autotuning).
    init(port: Int, host: String = "127.0.0.1", receiveBuffer: Int? = nil, timeout: Double = 20) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RawClientError.connectFailed(errno: errno) }
        self.fd = fd
        receiveTimeout = timeout
        setTimeouts(timeout)
        if let size = receiveBuffer {
            var value = Int32(size)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        try connect(to: &addr)
    }

    /// Connects to a sockaddr_in or sockaddr_un; closes the socket and throws on failure.
    /// Closing goes through `close()` so that `deinit`, which Swift runs when an initializer
    /// throws after every stored property is set, does not close the same number again: by
    /// then it may belong to another test's socket or event loop (tests run in parallel).
    private func connect<Address>(to addr: inout Address) throws {
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
        if rc != 0 {
            let code = errno
            close()
            throw RawClientError.connectFailed(errno: code)
        }
    }

    /// A unix-domain stream socket at `path`.
    init(unixPath path: String, timeout: Double = 20) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RawClientError.connectFailed(errno: errno) }
        self.fd = fd
        receiveTimeout = timeout
        setTimeouts(timeout)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        precondition(pathBytes.count < MemoryLayout.size(ofValue: addr.sun_path), "unix socket path too long")
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        try connect(to: &addr)
    }

    /// Adopts a connected stream socket (blocking), e.g. one end of a socketpair.
    init(adopting fd: Int32, timeout: Double = 20) {
        self.fd = fd
        receiveTimeout = timeout
        setTimeouts(timeout)
    }

    private var isClosed = false

    deinit { close() }

    /// Closes the socket (unread input makes the kernel send a reset).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }

    /// Whether a read would return at once (data, EOF or an error is waiting); does not block.
    func hasInput() -> Bool {
        if !buffer.isEmpty { return true }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    private func setTimeouts(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func setReceiveTimeout(_ seconds: Double) {
        receiveTimeout = seconds
        setTimeouts(seconds)
    }

    // MARK: async API (each call runs the blocking work on its own thread)

    func send(_ bytes: [UInt8]) async throws { try await offload { try self.sendNow(bytes) } }
    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Sends `bytes` in pieces cut at `splits` (offsets), pausing between pieces so each
    /// reaches the server as its own read.
    func send(_ bytes: [UInt8], splitAt splits: [Int], pause: Duration = .milliseconds(5)) async throws {
        var start = 0
        for cut in splits.sorted() + [bytes.count] where cut > start && cut <= bytes.count {
            try await send(Array(bytes[start..<cut]))
            start = cut
            if cut < bytes.count { try await Task.sleep(for: pause) }
        }
    }

    /// Reads exactly one response. `head: true` when it answers a HEAD request (no body).
    func readResponse(head: Bool = false) async throws -> RawResponse {
        try await offload { try self.readResponseNow(head: head) }
    }

    /// Reads until the server closes; returns everything received (including bytes
    /// already buffered). Throws `.timedOut` if the connection stays open.
    func readUntilClose() async throws -> [UInt8] {
        try await offload { try self.readUntilCloseNow() }
    }

    /// Whether the server closes the connection (EOF or reset) within the receive timeout,
    /// and what it sent before closing.
    func waitForClose() async -> CloseOutcome {
        do {
            let rest = try await readUntilClose()
            return .closed(extra: rest)
        } catch {
            return .stillOpen(error)
        }
    }

    enum CloseOutcome: Sendable {
        case closed(extra: [UInt8])
        case stillOpen(any Error)

        var isClosed: Bool { if case .closed = self { return true }; return false }
        /// Closed, and nothing but the expected response arrived before the close.
        var isCleanClose: Bool { if case .closed(let extra) = self { return extra.isEmpty }; return false }
    }

    /// Half-closes: the server sees EOF on its read side.
    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Bytes received but not yet consumed by a read call.
    var buffered: [UInt8] { buffer }

    // MARK: blocking implementation

    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.start()
        }
    }

    func sendNow(_ bytes: [UInt8]) throws {
        if let tls { return try tls.write(bytes) }
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                sent += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw RawClientError.sendFailed(errno: errno)
            }
        }
    }

    /// One recv into the buffer; false on EOF (or reset), throws on timeout.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        if let tls {
            guard let n = try tls.read(into: &chunk) else { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw RawClientError.timedOut(partial: buffer.count)
            case ECONNRESET, EPIPE: return false
            default: throw RawClientError.receiveFailed(errno: errno)
            }
        }
    }

    private func need(_ count: Int) throws {
        while buffer.count < count {
            guard try fill() else { throw RawClientError.closedEarly(partial: buffer.count) }
        }
    }

    /// Index just past the next CRLF at or after `from`, reading more as needed.
    private func lineEnd(from: Int) throws -> Int {
        var searchFrom = from
        while true {
            if buffer.count >= 2 {
                var i = max(searchFrom, from)
                while i + 1 < buffer.count {
                    if buffer[i] == 13 && buffer[i + 1] == 10 { return i + 2 }
                    i += 1
                }
                searchFrom = max(from, buffer.count - 1)
            }
            guard buffer.count - from < 1 << 20 else { throw RawClientError.malformed("line too long") }
            guard try fill() else { throw RawClientError.closedEarly(partial: buffer.count) }
        }
    }

    private func take(_ count: Int) -> [UInt8] {
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    private func takeLine() throws -> String {
        let end = try lineEnd(from: 0)
        let line = take(end)
        return String(decoding: line.dropLast(2), as: UTF8.self)
    }

    private func readFields() throws -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        while true {
            let line = try takeLine()
            if line.isEmpty { return fields }
            guard let colon = line.firstIndex(of: ":") else { throw RawClientError.malformed("header line '\(line)'") }
            fields.append((String(line[..<colon]),
                           line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
    }

    func readResponseNow(head: Bool) throws -> RawResponse {
        let statusLine = try takeLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw RawClientError.malformed("status line '\(statusLine)'")
        }
        var response = RawResponse(version: String(parts[0]), status: status,
                                   reason: parts.count > 2 ? String(parts[2]) : "",
                                   headers: try readFields(), body: [], chunked: false)
        if head || status < 200 || status == 204 || status == 304 { return response }
        if let te = response.header("Transfer-Encoding") {
            guard te.lowercased() == "chunked" else { throw RawClientError.malformed("Transfer-Encoding \(te)") }
            response.chunked = true
            while true {
                let sizeLine = try takeLine()
                let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                    throw RawClientError.malformed("chunk size '\(sizeLine)'")
                }
                if size == 0 { break }
                try need(size + 2)
                response.body += buffer[0..<size]
                guard buffer[size] == 13, buffer[size + 1] == 10 else { throw RawClientError.malformed("chunk end") }
                buffer.removeFirst(size + 2)
            }
            response.trailers = try readFields()
            return response
        }
        if let cl = response.header("Content-Length") {
            guard let length = Int(cl), length >= 0 else { throw RawClientError.malformed("Content-Length \(cl)") }
            try need(length)
            response.body = take(length)
            return response
        }
        // No framing: the body runs until the connection closes.
        while try fill() {}
        response.body = take(buffer.count)
        return response
    }

    /// Exactly `count` bytes (throws `.closedEarly` if the peer closes first).
    func readExactly(_ count: Int) async throws -> [UInt8] {
        try await offload { try self.readExactlyNow(count) }
    }

    func readExactlyNow(_ count: Int) throws -> [UInt8] {
        try need(count)
        return take(count)
    }

    func readUntilCloseNow() throws -> [UInt8] {
        while try fill() {}
        return take(buffer.count)
    }
}
