import COpenSSL
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

/// CONNECT interception: a handler answers a CONNECT with `.intercept`, the server sends the 200
/// in plaintext and then terminates TLS on the same connection with a leaf for the CONNECT host;
/// the decrypted requests go through the ordinary parser to the interception's handler.
@Suite struct ServerInterceptionTests {
    @Test func requestsInsideTheSessionGetKeepAlivePipeliningBodiesContinueAndStreaming() async throws {
        let proxy = try InterceptingProxy()
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let client = try await proxy.open(server, receiveBuffer: 64 * 1024)
            #expect(client.tls?.alpn == "http/1.1")

            try await client.send("GET /one?x=1 HTTP/1.1\r\nHost: host.test\r\n\r\n")
            let first = try await client.readResponse()
            #expect(first.bodyString == echoText("GET", "/one", query: "x=1"))
            #expect(!first.closes)

            try await client.send("GET /two HTTP/1.1\r\nHost: host.test\r\n\r\nGET /three HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(try await client.readResponse().bodyString == echoText("GET", "/two"))
            #expect(try await client.readResponse().bodyString == echoText("GET", "/three"))

            try await client.send("POST /chunked HTTP/1.1\r\nHost: host.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
            #expect(try await client.readResponse().bodyString == echoText("POST", "/chunked", body: "hello world", trailer: "t"))

            try await client.send("POST /continue HTTP/1.1\r\nHost: host.test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            #expect(try await client.readResponse().status == 100)
            try await client.send("body")
            #expect(try await client.readResponse().bodyString == echoText("POST", "/continue", body: "body"))

            // The client reads nothing until the producer has had time to run ahead: back-pressure
            // must hold it near the high-water mark plus what the sockets buffer.
            let size = 8 << 20
            try await client.send("GET /stream?n=\(size) HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(await eventually { proxy.streamed.load(ordering: .relaxed) >= server.server.configuration.outputHighWater })
            try await Task.sleep(for: .milliseconds(300))
            let stalledAt = proxy.streamed.load(ordering: .relaxed)
            #expect(stalledAt < 6 << 20, "the stream ran ahead of the client without bound: \(stalledAt) bytes produced")
            let streamed = try await client.readResponse()
            #expect(streamed.chunked)
            #expect(streamed.body.count == size)
            #expect(streamed.body == streamPattern(size))

            try await client.send("GET /after HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(try await client.readResponse().bodyString == echoText("GET", "/after"))

            let inside = proxy.seen.value.filter { $0.method != "CONNECT" }
            #expect(inside.map(\.path) == ["/one", "/two", "/three", "/chunked", "/continue", "/stream", "/after"])
            #expect(inside.allSatisfy { $0.serverName == "host.test" && $0.context == "session-42" && $0.intercepted })
            let connect = try #require(proxy.seen.value.first)
            #expect(connect.method == "CONNECT" && connect.serverName == nil && !connect.intercepted)
            #expect(server.server.statistics.intercepted.load(ordering: .relaxed) == 1)
            #expect(server.server.statistics.tlsHandshakeFailures.load(ordering: .relaxed) == 0)

            client.close()
            #expect(await eventually { server.server.core.openConnections == 0 })
        }
    }

    @Test func connectionCloseEndsTheSessionWithCloseNotify() async throws {
        let proxy = try InterceptingProxy()
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let client = try await proxy.open(server)
            try await client.send("GET /last HTTP/1.1\r\nHost: host.test\r\nConnection: close\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.bodyString == echoText("GET", "/last"))
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
            #expect(client.tls?.receivedCloseNotify == true)
        }
    }

    enum Misstep: String, CaseIterable, Sendable {
        /// A request without Host: 400.
        case missingHost
        /// Half a request head, then silence: 408.
        case partialHead
        /// The first bytes of a TLS record, then silence: the head's clock runs from them, so 408
        /// rather than the silent close of an idle connection.
        case partialRecord
    }

    /// Rejections and timeouts inside the session are the plaintext ones, encrypted, followed by close_notify.
    @Test(arguments: Misstep.allCases)
    func errorsInsideTheSessionAreAnsweredInsideIt(_ misstep: Misstep) async throws {
        let proxy = try InterceptingProxy()
        // The header timeout also bounds the handshake, which a loaded machine can slow down a
        // lot: the usual test timeout, and a client that waits longer than that for the 408.
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let client = try await proxy.open(server)
            client.setReceiveTimeout(40)
            switch misstep {
            case .missingHost: try await client.send("GET /no-host HTTP/1.1\r\n\r\n")
            case .partialHead: try await client.send("GET /slowloris HTTP/1.1\r\nHost: host.test\r\n")
            case .partialRecord: #expect(send(client.fd, [0x17, 0x03, 0x03], 3, Int32(MSG_NOSIGNAL)) == 3)
            }
            let response = try await client.readResponse()
            #expect(response.status == (misstep == .missingHost ? 400 : 408))
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
            #expect(client.tls?.receivedCloseNotify == true)
        }
    }

    /// Without SNI the handler learns nothing from TLS; without ALPN the server does not choose one.
    @Test func aClientWithoutSNIOrALPNIsServed() async throws {
        let proxy = try InterceptingProxy()
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("CONNECT host.test:443 HTTP/1.1\r\nHost: host.test:443\r\n\r\n")
            #expect(try await client.readResponse(head: true).status == 200)
            let session = try await client.startTLS(trusting: proxy.authority, serverName: nil, alpn: [])
            #expect(session.alpn == nil)
            try await client.send("GET /plain HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(try await client.readResponse().bodyString == echoText("GET", "/plain"))
            #expect(proxy.seen.value.last?.serverName == nil)
            #expect(proxy.seen.value.last?.intercepted == true)
        }
    }

    /// The ClientHello may ride in the same segment as the CONNECT head.
    @Test func aClientHelloPipelinedBehindTheConnectHeadStartsTheHandshake() async throws {
        let proxy = try InterceptingProxy()
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            // Capture a real ClientHello from a TLS client on a socketpair, then send it glued to the head.
            let hello = try await clientHello(serverName: "host.test")
            let client = try server.connect()
            try await client.send(Array("CONNECT host.test:443 HTTP/1.1\r\nHost: host.test:443\r\n\r\n".utf8) + hello)
            #expect(try await client.readResponse(head: true).status == 200)
            // The server answered the hello: its flight starts with a handshake record.
            let record = try await client.readExactly(5)
            #expect(record[0] == 0x16)
            #expect(await eventually { server.server.statistics.intercepted.load(ordering: .relaxed) == 1 })
        }
    }

    @Test(arguments: [TLS1_2_VERSION, TLS1_3_VERSION])
    func aChainWithAnIntermediateIsSentAndSessionsResume(version: Int32) async throws {
        let proxy = try InterceptingProxy(intermediate: true)
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let first = try await proxy.open(server, maxVersion: version)
            try await first.send("GET /first HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(try await first.readResponse().bodyString == echoText("GET", "/first"))
            let ticket = try #require(first.tls?.ticket)
            #expect(first.tls?.resumed == false)
            first.close()

            let second = try await proxy.open(server, maxVersion: version, resuming: ticket)
            #expect(second.tls?.resumed == true)
            try await second.send("GET /second HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(try await second.readResponse().bodyString == echoText("GET", "/second"))
            #expect(proxy.seen.value.last?.serverName == "host.test")
            second.close()
        }
    }

    // MARK: failures

    enum BadStart: String, CaseIterable, Sendable {
        case untrustingClient, garbage, plaintextHTTP, noCommonALPN
    }

    @Test(arguments: BadStart.allCases)
    func aFailedHandshakeClosesTheConnectionAndIsCounted(_ start: BadStart) async throws {
        let proxy = try InterceptingProxy()
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("CONNECT host.test:443 HTTP/1.1\r\nHost: host.test:443\r\n\r\n")
            #expect(try await client.readResponse(head: true).status == 200)
            switch start {
            case .untrustingClient:
                await #expect(throws: RawClientError.self) {
                    try await client.startTLS(trusting: TLSTestCertificate.authority(name: "Another CA"), serverName: "host.test")
                }
            case .noCommonALPN:
                await #expect(throws: RawClientError.self) {
                    try await client.startTLS(trusting: proxy.authority, serverName: "host.test", alpn: ["h2"])
                }
            case .garbage:
                try await client.send([UInt8]("garbage, not a ClientHello\r\n".utf8) + [UInt8](repeating: 0xFF, count: 64))
            case .plaintextHTTP:
                try await client.send("GET / HTTP/1.1\r\nHost: host.test\r\n\r\n")
            }
            #expect(await client.waitForClose().isClosed)
            #expect(await eventually { server.server.statistics.tlsHandshakeFailures.load(ordering: .relaxed) == 1 })
            #expect(await eventually { server.server.core.openConnections == 0 })
            #expect(proxy.seen.value.allSatisfy { !$0.intercepted })
        }
    }

    @Test func aHandshakeThatDoesNotFinishWithinTheHeaderTimeoutIsClosed() async throws {
        let proxy = try InterceptingProxy()
        // Short, but long enough for the CONNECT head itself to arrive on a loaded machine.
        let configuration = testConfiguration { $0.headerTimeout = .seconds(1) }
        try await withTestServer(proxy.handler, configuration: configuration) { server in
            let client = try server.connect()
            try await client.send("CONNECT host.test:443 HTTP/1.1\r\nHost: host.test:443\r\n\r\n")
            #expect(try await client.readResponse(head: true).status == 200)
            try await client.send([0x16, 0x03, 0x01]) // the start of a record header, and nothing more
            #expect(await client.waitForClose().isClosed)
            #expect(await eventually { server.server.statistics.tlsHandshakeFailures.load(ordering: .relaxed) == 1 })
        }
    }

    @Test(arguments: [("GET", 200), ("CONNECT", 407)])
    func interceptIsRefusedUnlessItIsA2xxToConnect(method: String, status: Int) async throws {
        let proxy = try InterceptingProxy()
        let handler = ClosureHandler { _ in
            .response(Response(status: HTTPStatus(status), headers: ["X-Answer": "given"],
                               body: .intercept(TLSInterception(context: proxy.context, handler: echoHandler, connectionContext: nil))))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            let target = method == "CONNECT" ? "host.test:443" : "/x"
            try await client.send("\(method) \(target) HTTP/1.1\r\nHost: host.test\r\n\r\n")
            let response = try await client.readResponse(head: method == "CONNECT")
            #expect(response.status == status)
            #expect(response.header("X-Answer") == "given")
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
            #expect(server.server.statistics.intercepted.load(ordering: .relaxed) == 0)
        }
    }

    /// A CONNECT inside the session reaches the handler; a tunnel or an interception it answers
    /// with is refused (no nesting), and a tunnel's upstream socket is closed unused.
    @Test(arguments: ["inner.test:443", "tunnel.test:443"])
    func aTunnelOrInterceptionInsideAnInterceptedConnectionIsRefused(target: String) async throws {
        let proxy = try InterceptingProxy()
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let client = try await proxy.open(server)
            try await client.send("CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n")
            let response = try await client.readResponse(head: true)
            #expect(response.status == 501)
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
            #expect(client.tls?.receivedCloseNotify == true)
            #expect(proxy.seen.value.last?.method == "CONNECT")
            #expect(proxy.seen.value.last?.intercepted == true)
            #expect(server.server.statistics.intercepted.load(ordering: .relaxed) == 1)
            #expect(server.server.statistics.tunnels.load(ordering: .relaxed) == 0)
            if target.hasPrefix("tunnel.") {
                #expect(await eventually { proxy.tunnelTotals.value.count == 1 })
                #expect(proxy.tunnelTotals.value.first?.opened == false)
            }
        }
    }

    // MARK: shutdown

    @Test func drainClosesIdleInterceptedConnectionsAndFinishesInFlightRequests() async throws {
        let proxy = try InterceptingProxy()
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let idle = try await proxy.open(server)
            try await idle.send("GET /idle HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(try await idle.readResponse().bodyString == echoText("GET", "/idle"))

            let busy = try await proxy.open(server)
            try await busy.send("GET /slow?ms=300 HTTP/1.1\r\nHost: host.test\r\n\r\n")
            #expect(await eventually { proxy.seen.value.contains { $0.path == "/slow" } })

            let shutdown = Task { await server.server.shutdown(grace: .seconds(10)) }
            #expect(await idle.waitForClose().isCleanClose)
            #expect(idle.tls?.receivedCloseNotify == true)
            let response = try await busy.readResponse()
            #expect(response.bodyString == echoText("GET", "/slow", query: "ms=300"))
            #expect(response.closes)
            #expect(await busy.waitForClose().isCleanClose)
            await shutdown.value
            #expect(server.server.core.openConnections == 0)
        }
    }

    // MARK: a real client

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func curlThroughTheProxyTrustingTheTestCA() async throws {
        let proxy = try InterceptingProxy()
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("warden-intercept-ca-\(UUID().uuidString).pem").path
        try proxy.authority.pem.write(toFile: caFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        try await withTestServer(proxy.handler, configuration: testConfiguration()) { server in
            let curl = try ChildProcess("/usr/bin/curl", [
                "-q", "--silent", "--show-error", "--max-time", "20", "--noproxy", "", // -q: no ~/.curlrc
                "--proxy", "http://127.0.0.1:\(server.port)", "--cacert", caFile,
                "--data-binary", "from curl", "--write-out", "\n",
                "https://host.test:443/path?q=1",
            ])
            let termination = await curl.waitForExit()
            #expect(termination == .exited(0), "curl: \(curl.standardError)")
            #expect(curl.lines == [echoText("POST", "/path", query: "q=1", body: "from curl")])
            #expect(proxy.seen.value.last?.serverName == "host.test")
            #expect(proxy.seen.value.last?.context == "session-42")
        }
    }
}

// MARK: helpers

/// What a handler saw of one request.
private struct Seen: Sendable {
    var method: String
    var path: String
    var serverName: String?
    var context: String?
    /// Whether the interception's handler (rather than the server's) got it.
    var intercepted: Bool
}

/// A server handler that intercepts every CONNECT with a leaf for host.test signed by a test CA
/// (through an intermediate if asked), and the handler inside that echoes, streams, and tries
/// to nest.
private final class InterceptingProxy: Sendable {
    let authority = TLSTestCertificate.authority()
    let context: TLSServerContext
    let seen = Locked<[Seen]>([])
    let streamed = Atomic<Int>(0)
    let tunnelTotals = Locked<[TunnelTotals]>([])
    private let upstreamPeers = Locked<[RawClient]>([])

    init(intermediate: Bool = false) throws {
        if intermediate {
            let middle = authority.issueAuthority(name: "Warden Test Intermediate")
            let leaf = middle.issue(for: ["host.test"])
            context = try TLSServerContext(certificateChainPEM: leaf.pem + middle.pem, privateKeyPEM: leaf.key.pem)
        } else {
            let leaf = authority.issue(for: ["host.test"])
            context = try TLSServerContext(certificateChainPEM: leaf.pem, privateKeyPEM: leaf.key.pem)
        }
    }

    var handler: ClosureHandler {
        ClosureHandler { [self] request in
            record(request, intercepted: false)
            guard request.method == "CONNECT" else { return .response(.text("plain")) }
            return .response(Response(status: .ok, body: .intercept(interception)))
        }
    }

    private var interception: TLSInterception {
        TLSInterception(context: context, handler: inner, connectionContext: "session-42")
    }

    private var inner: ClosureHandler {
        ClosureHandler { [self] request in
            record(request, intercepted: true)
            if request.method == "CONNECT" { return .response(nested(request)) }
            switch request.path {
            case "/stream":
                let size = Int(request.queryParameters["n"] ?? "") ?? 0
                return .response(Response(body: .stream { [self] writer in
                    var offset = 0
                    while offset < size {
                        let piece = min(64 * 1024, size - offset)
                        try await writer.write(streamPattern(piece, from: offset))
                        offset += piece
                        streamed.store(offset, ordering: .relaxed)
                    }
                }))
            case "/slow":
                return echoHandler.handle(request)
            default:
                return .response(echoResponse(request))
            }
        }
    }

    private func nested(_ request: Request) -> Response {
        guard request.target.authority?.hasPrefix("tunnel.") == true else {
            return Response(status: .ok, body: .intercept(interception))
        }
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            return .text("socketpair failed", status: .internalServerError)
        }
        let (ours, peer) = (fds[0], fds[1])
        upstreamPeers.update { $0.append(RawClient(adopting: peer)) }
        let totals = tunnelTotals
        return Response(status: .ok, body: .tunnel(TunnelUpstream(fd: ours) { t in totals.update { $0.append(t) } }))
    }

    private func record(_ request: Request, intercepted: Bool) {
        seen.update {
            $0.append(Seen(method: request.method, path: request.path, serverName: request.tlsServerName,
                           context: request.listenerContext as? String, intercepted: intercepted))
        }
    }

    /// A client whose CONNECT to host.test was answered and whose TLS session is up.
    func open(_ server: TestServer, receiveBuffer: Int? = nil, maxVersion: Int32? = nil,
              resuming ticket: RawTLSSession.Ticket? = nil) async throws -> RawClient {
        let client = try server.connect(receiveBuffer: receiveBuffer)
        try await client.send("CONNECT host.test:443 HTTP/1.1\r\nHost: host.test:443\r\n\r\n")
        let head = try await client.readResponse(head: true)
        #expect(head.status == 200)
        try await client.startTLS(trusting: authority, serverName: "host.test", maxVersion: maxVersion, resuming: ticket)
        return client
    }
}

/// The streamed body's bytes `from..<from+count`.
private func streamPattern(_ count: Int, from start: Int = 0) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count { buffer[i] = UInt8(truncatingIfNeeded: (start + i) % 251) }
        initialized = count
    }
}

/// The first flight of a TLS client for `serverName`, captured on a socketpair.
private func clientHello(serverName: String) async throws -> [UInt8] {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
        throw RawClientError.connectFailed(errno: errno)
    }
    let client = RawClient(adopting: fds[0], timeout: 0.5)
    let capture = RawClient(adopting: fds[1])
    defer { client.close(); capture.close() }
    // The handshake gives up when no ServerHello comes; by then the hello was written.
    _ = try? await client.startTLS(trusting: TLSTestCertificate.authority(), serverName: serverName)
    var hello = try await capture.readExactly(5)
    let length = Int(hello[3]) << 8 | Int(hello[4])
    hello += try await capture.readExactly(length)
    return hello
}
