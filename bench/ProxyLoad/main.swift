// proxy-load: a small closed-loop HTTP/1.1 load generator for bench/proxy.sh. wrk can speak
// neither through a proxy nor to a unix socket, and HTTPS through a proxy needs CONNECT, then
// TLS. This tool opens C connections (one blocking thread each), directly to the origin or to
// a proxy (TCP host:port or a unix socket path), optionally sends `CONNECT host:port` and does
// a TLS handshake through the tunnel, then sends keep-alive GETs for a fixed time (or count),
// timing each one from the first byte written to the last body byte read. Every response must
// be 200 with exactly the expected body length, or it counts as an error. Prints one JSON object.
//
//   proxy-load --url http://127.0.0.1:8080/1k [--proxy tcp:127.0.0.1:3128 | --proxy unix:/path]
//              [--ca ca.pem] [--tls-name NAME] [-c 16] [-d 5] [-n 0] [--warmup 1] [--expect-bytes 1024] [--label x]
//
// Absolute-form request targets (`GET http://host:port/path`) are used for plain HTTP through a
// proxy; origin-form (`GET /path`) directly and inside TLS.
import COpenSSL
import Foundation
import Synchronization

// MARK: - Options

struct Options: Sendable {
    enum Proxy: Sendable { case tcp(host: String, port: UInt16), unix(String) }
    var scheme = "http"
    var host = "127.0.0.1"
    var port: UInt16 = 80
    var path = "/"
    var proxy: Proxy?
    var caFile: String?
    /// The name sent as SNI and checked in the certificate (default: the URL's host). Lets a
    /// CONNECT go to an address while TLS inside the tunnel uses a name.
    var tlsName: String?
    var connections = 1
    var seconds = 5.0
    var requests = 0 // total across connections; 0 = run for `seconds`
    var warmup = 0.0
    var expectBytes = -1
    var label = ""

    var https: Bool { scheme == "https" }
    var authority: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }
    var mode: String { "\(proxy == nil ? "direct" : "proxy")-\(scheme)" }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("proxy-load: \(message)\n".utf8))
    exit(2)
}

func parseOptions(_ arguments: [String]) -> Options {
    var options = Options()
    var url: String?
    var index = 0
    func value() -> String {
        index += 1
        guard index < arguments.count else { fail("\(arguments[index - 1]) needs a value") }
        return arguments[index]
    }
    while index < arguments.count {
        switch arguments[index] {
        case "--url": url = value()
        case "--proxy":
            let text = value()
            if text.hasPrefix("unix:") {
                options.proxy = .unix(String(text.dropFirst(5)))
            } else {
                let spec = text.hasPrefix("tcp:") ? String(text.dropFirst(4)) : text
                guard let colon = spec.lastIndex(of: ":"), let port = UInt16(spec[spec.index(after: colon)...]) else {
                    fail("--proxy takes tcp:HOST:PORT or unix:PATH, not '\(text)'")
                }
                options.proxy = .tcp(host: String(spec[..<colon]), port: port)
            }
        case "--ca": options.caFile = value()
        case "--tls-name": options.tlsName = value()
        case "-c", "--connections": options.connections = Int(value()) ?? 0
        case "-d", "--duration": options.seconds = Double(value()) ?? 0
        case "-n", "--requests": options.requests = Int(value()) ?? -1
        case "--warmup": options.warmup = Double(value()) ?? -1
        case "--expect-bytes": options.expectBytes = Int(value()) ?? -1
        case "--label": options.label = value()
        case "-h", "--help":
            print("usage: proxy-load --url http[s]://HOST:PORT/PATH [--proxy tcp:HOST:PORT|unix:PATH] [--ca PEM] [--tls-name NAME] "
                + "[-c CONNS] [-d SECONDS] [-n REQUESTS] [--warmup SECONDS] [--expect-bytes N] [--label TEXT]")
            exit(0)
        default: fail("unknown argument '\(arguments[index])'")
        }
        index += 1
    }
    guard let url else { fail("--url is required") }
    guard let schemeEnd = url.range(of: "://") else { fail("--url needs a scheme: \(url)") }
    options.scheme = String(url[..<schemeEnd.lowerBound]).lowercased()
    guard options.scheme == "http" || options.scheme == "https" else { fail("--url: http or https only") }
    let rest = url[schemeEnd.upperBound...]
    let authority = rest.firstIndex(of: "/").map { rest[..<$0] } ?? rest
    options.path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
        guard let port = UInt16(authority[authority.index(after: colon)...]) else { fail("--url: bad port") }
        options.host = String(authority[..<colon])
        options.port = port
    } else {
        options.host = String(authority)
        options.port = options.https ? 443 : 80
    }
    if options.host.hasPrefix("[") { options.host = String(options.host.dropFirst().dropLast()) }
    guard options.connections >= 1, options.seconds > 0, options.requests >= 0, options.warmup >= 0 else {
        fail("-c must be at least 1, -d above 0, -n and --warmup not negative")
    }
    return options
}

// MARK: - Clock

@inline(__always) func nowNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

// MARK: - Connections

struct LoadError: Error, CustomStringConvertible {
    let description: String
    /// A proxy that refused the CONNECT: no point retrying for the rest of the run.
    var connectStatus: Int?
    init(_ description: String, connectStatus: Int? = nil) {
        self.description = description
        self.connectStatus = connectStatus
    }
}

func dialTCP(host: String, port: UInt16) throws(LoadError) -> Int32 {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var result: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &result)
    guard status == 0, let first = result else { throw LoadError("cannot resolve \(host): \(String(cString: gai_strerror(status)))") }
    defer { freeaddrinfo(result) }
    var lastError: Int32 = 0
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let info = cursor {
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd >= 0 {
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            lastError = errno
            close(fd)
        } else {
            lastError = errno
        }
        cursor = info.pointee.ai_next
    }
    throw LoadError("cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
}

func dialUnix(_ path: String) throws(LoadError) -> Int32 {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { throw LoadError("unix socket path longer than \(capacity - 1) bytes: \(path)") }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw LoadError("socket: \(String(cString: strerror(errno)))") }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else {
        let error = errno
        close(fd)
        throw LoadError("cannot connect to \(path): \(String(cString: strerror(error)))")
    }
    return fd
}

/// The TLS settings shared by every connection: peer verification against the given CA (or the
/// system store), host name checked.
final class TLSContext: @unchecked Sendable { // SSL_CTX is safe to share once configured
    let context: OpaquePointer

    init(caFile: String?) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { fail("SSL_CTX_new failed") }
        self.context = context
        _ = copenssl_ctx_set_min_proto_version(context, TLS1_2_VERSION)
        if let caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else { fail("cannot load the CA file \(caFile)") }
        } else {
            SSL_CTX_set_default_verify_paths(context)
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
    }
}

/// One keep-alive connection with a read buffer; plain or TLS over a blocking socket.
final class Connection {
    let fd: Int32
    private var ssl: OpaquePointer?
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    init(fd: Int32) {
        self.fd = fd
        buffer = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        close(fd)
        buffer.deallocate()
    }

    func startTLS(_ tls: TLSContext, host: String) throws(LoadError) {
        guard start == end else { throw LoadError("the proxy sent bytes after the CONNECT response, before TLS") }
        guard let ssl = SSL_new(tls.context) else { throw LoadError("SSL_new failed") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        _ = copenssl_set_tlsext_host_name(ssl, host)
        SSL_set1_host(ssl, host)
        guard SSL_connect(ssl) == 1 else { throw LoadError("TLS handshake with \(host) failed: \(Self.openSSLError(ssl))") }
    }

    private static func openSSLError(_ ssl: OpaquePointer) -> String {
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK { return "certificate: " + String(cString: X509_verify_cert_error_string(verify)) }
        let code = ERR_get_error()
        if code == 0 { return "connection closed (\(String(cString: strerror(errno))))" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        ERR_clear_error()
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func write(_ bytes: [UInt8]) throws(LoadError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.count - offset
            if let ssl {
                let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32(count)) }
                guard n > 0 else { throw LoadError("TLS write failed: \(Self.openSSLError(ssl))") }
                offset += Int(n)
            } else {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, count, Int32(MSG_NOSIGNAL)) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LoadError("write failed: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws(LoadError) -> Bool {
        if start == end { start = 0; end = 0 }
        if end == buffer.count {
            guard start > 0 else { throw LoadError("response head larger than the read buffer") }
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
            end -= start
            start = 0
        }
        let pointer = buffer.baseAddress! + end
        let room = buffer.count - end
        if let ssl {
            let n = SSL_read(ssl, pointer, Int32(room))
            if n > 0 { end += Int(n); return true }
            if SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN { return false }
            if ERR_peek_error() == 0 { return false } // unexpected EOF: treat as end of stream
            throw LoadError("TLS read failed: \(Self.openSSLError(ssl))")
        }
        while true {
            let n = recv(fd, pointer, room, 0)
            if n > 0 { end += n; return true }
            if n == 0 { return false }
            if errno == EINTR { continue }
            throw LoadError("read failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads up to and including the next CRLF; returns the line without it.
    private func line() throws(LoadError) -> [UInt8] {
        var searched = start
        while true {
            let bytes = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var index = searched
            while index + 1 < end {
                if bytes[index] == 13 && bytes[index + 1] == 10 {
                    let line = Array(UnsafeBufferPointer(start: bytes + start, count: index - start))
                    start = index + 2
                    return line
                }
                index += 1
            }
            searched = max(start, end - 1)
            let offsetBefore = start
            guard try fill() else { throw LoadError("connection closed mid-response") }
            searched -= offsetBefore - start // fill() may have moved the data to the front
        }
    }

    struct Head {
        var status = 0
        var contentLength: Int?
        var chunked = false
        var close = false
    }

    /// Reads a response head; nil when the peer closed the connection before sending a byte.
    func readHead() throws(LoadError) -> Head? {
        if start == end { guard try fill() else { return nil } }
        let statusLine = try line()
        guard statusLine.count >= 12, statusLine.starts(with: Array("HTTP/1.".utf8)),
              let status = Int(String(decoding: statusLine[9..<12], as: UTF8.self)) else {
            throw LoadError("bad status line: \(String(decoding: statusLine.prefix(80), as: UTF8.self))")
        }
        var head = Head(status: status)
        head.close = statusLine[7] == UInt8(ascii: "0") // HTTP/1.0
        while true {
            let field = try line()
            if field.isEmpty { break }
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: field[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: field[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            switch name {
            case "content-length": head.contentLength = Int(value)
            case "transfer-encoding": head.chunked = value.hasSuffix("chunked")
            case "connection":
                if value.contains("close") { head.close = true }
                if value.contains("keep-alive") { head.close = false }
            default: break
            }
        }
        return head
    }

    /// Reads and discards `count` body bytes, keeping at most `keep` of them.
    private func skip(_ count: Int, keep: Int, into kept: inout [UInt8]) throws(LoadError) {
        var left = count
        while left > 0 {
            if start == end { guard try fill() else { throw LoadError("connection closed mid-body") } }
            let take = min(left, end - start)
            if kept.count < keep {
                let copy = min(take, keep - kept.count)
                kept.append(contentsOf: UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: copy))
            }
            start += take
            left -= take
        }
    }

    /// Reads the body the head announces; returns its length and its first `keep` bytes.
    func readBody(_ head: Head, keep: Int = 0) throws(LoadError) -> (length: Int, prefix: [UInt8]) {
        var kept: [UInt8] = []
        if head.chunked {
            var total = 0
            while true {
                let sizeLine = try line()
                let digits = sizeLine.prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") }
                guard let size = Int(String(decoding: digits, as: UTF8.self), radix: 16), size >= 0 else {
                    throw LoadError("bad chunk size line")
                }
                if size == 0 {
                    while try !line().isEmpty {} // trailers
                    return (total, kept)
                }
                try skip(size, keep: keep, into: &kept)
                total += size
                guard try line().isEmpty else { throw LoadError("chunk not followed by CRLF") }
            }
        }
        if let length = head.contentLength {
            try skip(length, keep: keep, into: &kept)
            return (length, kept)
        }
        if !head.close { return (0, kept) } // no body announced on a kept-alive connection
        var total = 0
        while true { // read to close
            if start == end { guard try fill() else { return (total, kept) } }
            let take = end - start
            try skip(take, keep: keep, into: &kept)
            total += take
        }
    }
}

// MARK: - The run

struct Result: Sendable {
    var latencies: [UInt32] = [] // microseconds, measured requests only
    var errors = 0
    var reconnects = 0
    var firstError: String?
    var connectStatus: Int?
}

final class Run: Sendable {
    let options: Options
    let tls: TLSContext?
    let request: [UInt8]
    let warmupEnd: UInt64
    let deadline: UInt64
    let stop = Atomic(false)
    /// Requests still to send when a count was given (shared by all connections).
    let remaining: Atomic<Int>
    let results = Mutex<[Result]>([])

    init(options: Options) {
        self.options = options
        tls = options.https ? TLSContext(caFile: options.caFile) : nil
        let target = options.proxy != nil && !options.https ? "http://\(options.authority)\(options.path)" : options.path
        request = Array("GET \(target) HTTP/1.1\r\nHost: \(options.authority)\r\nUser-Agent: proxy-load\r\nAccept: */*\r\n\r\n".utf8)
        let now = nowNanoseconds()
        warmupEnd = now + UInt64(options.warmup * 1e9)
        deadline = options.requests > 0 ? UInt64.max : warmupEnd + UInt64(options.seconds * 1e9)
        remaining = Atomic(options.requests > 0 ? options.requests : Int.max)
    }

    func open() throws(LoadError) -> Connection {
        let fd: Int32
        switch options.proxy {
        case nil: fd = try dialTCP(host: options.host, port: options.port)
        case .tcp(let host, let port)?: fd = try dialTCP(host: host, port: port)
        case .unix(let path)?: fd = try dialUnix(path)
        }
        let connection = Connection(fd: fd)
        if options.https {
            if options.proxy != nil {
                let connect = Array("CONNECT \(options.authority) HTTP/1.1\r\nHost: \(options.authority)\r\n\r\n".utf8)
                try connection.write(connect)
                guard let head = try connection.readHead() else { throw LoadError("the proxy closed the connection after CONNECT") }
                guard head.status == 200 else {
                    let body = (try? connection.readBody(head, keep: 300))?.prefix ?? []
                    throw LoadError("CONNECT \(options.authority) answered \(head.status): "
                        + String(decoding: body, as: UTF8.self), connectStatus: head.status)
                }
            }
            try connection.startTLS(tls!, host: options.tlsName ?? options.host)
        }
        return connection
    }

    func worker() {
        var result = Result()
        result.latencies.reserveCapacity(1 << 16)
        func record(_ error: LoadError) {
            result.errors += 1
            if result.firstError == nil { result.firstError = error.description }
            if let status = error.connectStatus {
                result.connectStatus = status
                stop.store(true, ordering: .relaxed) // a refused CONNECT will be refused again
            }
        }
        var connection: Connection?
        var opened = 0
        while !stop.load(ordering: .relaxed) && nowNanoseconds() < deadline {
            if connection == nil {
                do {
                    connection = try open()
                    opened += 1
                } catch {
                    record(error)
                    usleep(10_000)
                    continue
                }
            }
            guard remaining.subtract(1, ordering: .relaxed).oldValue > 0 else { break }
            let began = nowNanoseconds()
            do throws(LoadError) {
                try connection!.write(request)
                guard let head = try connection!.readHead() else { throw LoadError("connection closed before the response") }
                let body = try connection!.readBody(head, keep: head.status == 200 ? 0 : 200)
                let ended = nowNanoseconds()
                if head.status != 200 {
                    throw LoadError("status \(head.status): \(String(decoding: body.prefix, as: UTF8.self))")
                }
                if options.expectBytes >= 0 && body.length != options.expectBytes {
                    throw LoadError("body of \(body.length) bytes, expected \(options.expectBytes)")
                }
                if began >= warmupEnd && ended <= deadline {
                    result.latencies.append(UInt32(min((ended - began) / 1000, UInt64(UInt32.max))))
                }
                if head.close { connection = nil }
            } catch {
                if began >= warmupEnd { record(error) }
                connection = nil
            }
        }
        result.reconnects = max(0, opened - 1)
        let finished = result
        results.withLock { $0.append(finished) }
    }
}

func main() throws {
    signal(SIGPIPE, SIG_IGN)
    let options = parseOptions(Array(CommandLine.arguments.dropFirst()))
    let run = Run(options: options)
    let began = nowNanoseconds()
    let done = DispatchGroup()
    for index in 0..<options.connections {
        done.enter()
        let thread = Thread {
            run.worker()
            done.leave()
        }
        thread.name = "load-\(index)"
        thread.stackSize = 512 * 1024
        thread.start()
    }
    done.wait()
    let ended = min(nowNanoseconds(), run.deadline)
    let measuredSeconds = Double(ended - max(began, min(run.warmupEnd, ended))) / 1e9

    let all = run.results.withLock { $0 }
    var latencies = all.flatMap(\.latencies)
    latencies.sort()
    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(latencies.count)).rounded(.up)) - 1
        return Double(latencies[min(max(rank, 0), latencies.count - 1)])
    }
    let errors = all.reduce(0) { $0 + $1.errors }
    let mean = latencies.isEmpty ? 0 : Double(latencies.reduce(0) { $0 + UInt64($1) }) / Double(latencies.count)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpuSeconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    var report: [String: Any] = [
        "label": options.label,
        "mode": options.mode,
        "url": "\(options.scheme)://\(options.authority)\(options.path)",
        "connections": options.connections,
        "seconds": (measuredSeconds * 1000).rounded() / 1000,
        "requests": latencies.count,
        "errors": errors,
        "reconnects": all.reduce(0) { $0 + $1.reconnects },
        "rps": measuredSeconds > 0 ? (Double(latencies.count) / measuredSeconds).rounded() : 0,
        "p50_us": percentile(50),
        "p99_us": percentile(99),
        "mean_us": mean.rounded(),
        "max_us": Double(latencies.last ?? 0),
        // The whole process, warm-up included: for the CPU share of the load tool itself.
        "cpu_s": (cpuSeconds * 1000).rounded() / 1000,
        "elapsed_s": (Double(nowNanoseconds() - began) / 1e6).rounded() / 1000,
    ]
    switch options.proxy {
    case nil: report["proxy"] = NSNull()
    case .tcp(let host, let port)?: report["proxy"] = "tcp:\(host):\(port)"
    case .unix(let path)?: report["proxy"] = "unix:\(path)"
    }
    if let first = all.compactMap(\.firstError).first { report["first_error"] = first }
    if let status = all.compactMap(\.connectStatus).first { report["connect_status"] = status }
    let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes])
    print(String(decoding: json, as: UTF8.self))
}

try main()
