import CLinux
import COpenSSL
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A request as the TLS test server read it, with what the handshake told the server.
struct TLSTestRequest: Sendable {
    var method: String
    var target: String
    /// Lowercased names.
    var headers: [String: String]
    var body: [UInt8]
    /// The SNI the client sent, if any.
    var serverName: String?
    /// The ALPN protocol agreed, if any.
    var alpn: String?
}

/// A small HTTPS/1.1 server on blocking sockets and OpenSSL, one thread per connection, so a
/// test can misbehave on purpose: stall, cut a body short, skip close_notify, renegotiate.
/// Always use it through `withTLSTestServer`, which stops it.
final class TLSTestServer: @unchecked Sendable {
    typealias Handler = @Sendable (TLSTestRequest, TLSTestConnection) -> Void

    let port: Int
    let connectionsAccepted = Atomic<Int>(0)
    let handshakesFailed = Atomic<Int>(0)
    private let listenFD: Int32
    private let context: OpaquePointer
    private let handler: Handler
    private let open = Mutex<Set<Int32>>([])
    private let acceptorDone = DispatchSemaphore(value: 0)

    /// `maxVersion` caps the protocol (e.g. TLS1_2_VERSION to renegotiate);
    /// `handshakes: false` accepts TCP connections and never answers a ClientHello.
    init(certificate: TLSTestCertificate, maxVersion: Int32? = nil, handshakes: Bool = true, handler: @escaping Handler) throws {
        // The server writes with plain write(2) through OpenSSL's socket BIO; a client that
        // hung up must cost an EPIPE, not the test process.
        signal(SIGPIPE, SIG_IGN)
        context = SSL_CTX_new(TLS_server_method())!
        precondition(SSL_CTX_use_certificate(context, certificate.x509) == 1
                     && SSL_CTX_use_PrivateKey(context, certificate.key.pointer) == 1)
        if let maxVersion { _ = copenssl_ctx_set_max_proto_version(context, maxVersion) }
        SSL_CTX_set_alpn_select_cb(context, selectHTTP11, nil)
        self.handler = handler
        (listenFD, port) = try Self.listenOnLoopback()
        Thread { [self] in acceptLoop(handshakes: handshakes) }.start()
    }

    deinit { SSL_CTX_free(context) }

    /// accept4 with CLOEXEC, so a child process another test spawns meanwhile does not hold the
    /// socket open after we close it (the client would wait for an EOF that never comes);
    /// blocking, since the server reads with plain blocking SSL calls.
    static func acceptBlocking(_ listenFD: Int32) -> Int32 {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = clinux_accept(listenFD, &address, &length)
        if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
        return fd
    }

    static func listenOnLoopback() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 128) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard listening else {
            let error = RawClientError.connectFailed(errno: errno)
            Glibc.close(fd)
            throw error
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Stops accepting and cuts every open connection (without close_notify).
    func stop() {
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
        acceptorDone.wait()
        Glibc.close(listenFD)
        open.withLock { fds in for fd in fds { Glibc.shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    private func acceptLoop(handshakes: Bool) {
        while true {
            let fd = Self.acceptBlocking(listenFD)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            connectionsAccepted.add(1, ordering: .relaxed)
            open.withLock { _ = $0.insert(fd) }
            Thread { [self] in serve(fd, handshakes: handshakes) }.start()
        }
        acceptorDone.signal()
    }

    private func serve(_ fd: Int32, handshakes: Bool) {
        defer {
            open.withLock { fds in
                fds.remove(fd)
                Glibc.close(fd)
            }
        }
        guard handshakes else {
            var byte: UInt8 = 0
            while read(fd, &byte, 1) > 0 {} // hold the connection until the client gives up
            return
        }
        let ssl = SSL_new(context)!
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, fd)
        guard SSL_accept(ssl) == 1 else {
            handshakesFailed.add(1, ordering: .relaxed)
            ERR_clear_error()
            return
        }
        let connection = TLSTestConnection(ssl: ssl)
        while connection.isOpen, let request = connection.readRequest() {
            handler(request, connection)
        }
        connection.closeWithNotify()
    }
}

/// The server's side of one connection, used on that connection's thread only.
final class TLSTestConnection {
    private let ssl: OpaquePointer
    private var buffer: [UInt8] = []
    private(set) var isOpen = true

    init(ssl: OpaquePointer) { self.ssl = ssl }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while isOpen, offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { isOpen = false; ERR_clear_error(); return }
            offset += Int(n)
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func respond(status: Int = 200, headers: [String] = [], body: [UInt8]) {
        var head = "HTTP/1.1 \(status) OK\r\nContent-Length: \(body.count)\r\n"
        for line in headers { head += line + "\r\n" }
        send(Array((head + "\r\n").utf8) + body)
    }

    func respond(status: Int = 200, headers: [String] = [], text: String) {
        respond(status: status, headers: headers, body: Array(text.utf8))
    }

    /// Sends close_notify, then closes.
    func closeWithNotify() {
        guard isOpen else { return }
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
        isOpen = false
    }

    /// Stops without close_notify, as a cut connection or a truncation attack looks.
    func closeWithoutNotify() { isOpen = false }

    /// TLS 1.3: new traffic keys, and the client must answer with its own.
    func requestKeyUpdate() {
        precondition(SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) == 1)
        _ = SSL_do_handshake(ssl) // sends the KeyUpdate now rather than with the next write
    }

    /// TLS 1.2: a server-initiated renegotiation; it completes while reading the next request.
    func renegotiate() {
        precondition(SSL_renegotiate(ssl) == 1)
        _ = SSL_do_handshake(ssl)
        ERR_clear_error()
    }

    var negotiatedVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Renegotiations completed on this connection (SSL_total_renegotiations is a macro).
    var renegotiations: Int { SSL_ctrl(ssl, SSL_CTRL_GET_TOTAL_RENEGOTIATIONS, 0, nil) }

    func readRequest() -> TLSTestRequest? {
        guard let headEnd = readUntilHeadEnd() else { return nil }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard fill() else { return nil }
        }
        let body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return TLSTestRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                              body: body, serverName: serverName, alpn: alpn)
    }

    private var serverName: String? {
        SSL_get_servername(ssl, Int32(TLSEXT_NAMETYPE_host_name)).map { String(cString: $0) }
    }

    private var alpn: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    private func readUntilHeadEnd() -> Int? {
        var searchFrom = 0
        while true {
            if buffer.count >= 4 {
                for i in searchFrom...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10
                    && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    return i
                }
                searchFrom = buffer.count - 3
            }
            guard fill() else { return nil }
        }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = SSL_read(ssl, &chunk, Int32(chunk.count))
        guard n > 0 else {
            ERR_clear_error()
            isOpen = false
            return false
        }
        buffer.append(contentsOf: chunk[0..<Int(n)])
        return true
    }
}

/// Chooses http/1.1 when the client offers it, as a real HTTPS server does.
private let selectHTTP11: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
    UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
) -> Int32 = { _, out, outLength, offered, offeredLength, _ in
    guard let offered else { return SSL_TLSEXT_ERR_NOACK }
    let wanted = Array("http/1.1".utf8)
    var i = 0
    while i < Int(offeredLength) {
        let length = Int(offered[i])
        if length == wanted.count, i + 1 + length <= Int(offeredLength),
           Array(UnsafeBufferPointer(start: offered + i + 1, count: length)) == wanted {
            out?.pointee = offered + i + 1
            outLength?.pointee = UInt8(length)
            return SSL_TLSEXT_ERR_OK
        }
        i += 1 + length
    }
    return SSL_TLSEXT_ERR_NOACK
}

/// Starts a TLS test server, runs `body`, and stops the server whatever happens.
@discardableResult
func withTLSTestServer<R>(
    certificate: TLSTestCertificate, maxVersion: Int32? = nil, handshakes: Bool = true,
    _ handler: @escaping TLSTestServer.Handler, _ body: (TLSTestServer) async throws -> R
) async throws -> R {
    let server = try TLSTestServer(certificate: certificate, maxVersion: maxVersion, handshakes: handshakes, handler: handler)
    defer { server.stop() }
    return try await body(server)
}
