import CLinux
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import HTTP

/// CONNECT tunnels at the server level: a handler answers 200 with `.tunnel(upstream)` and the
/// connection becomes a byte splice between the client and the upstream socket.
@Suite struct ServerTunnelTests {
    // MARK: through a TCP echo server

    @Test func bytesFlowBothWaysThroughATCPEchoUpstreamIncludingPipelinedOnes() async throws {
        let echo = try EchoServer()
        defer { echo.stop() }
        let totals = Locked<[TunnelTotals]>([])
        let handler = ClosureHandler { request in
            guard request.method == "CONNECT" else { return .response(.text("no")) }
            return .async {
                do {
                    let fd = try await SocketDialer.connect(.tcp(host: "127.0.0.1", port: echo.port), timeout: .seconds(5))
                    return Response(status: .ok, body: .tunnel(TunnelUpstream(fd: fd) { t in totals.update { $0.append(t) } }))
                } catch {
                    return .text("\(error)", status: .badGateway)
                }
            }
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            // The payload rides in the same segment as the head: it must reach the upstream first.
            try await client.send("CONNECT 127.0.0.1:\(echo.port) HTTP/1.1\r\nHost: 127.0.0.1:\(echo.port)\r\n\r\nhello-pipelined")
            let head = try await client.readResponse(head: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == nil)
            #expect(head.header("Transfer-Encoding") == nil)
            #expect(head.header("Connection") == nil)
            #expect(try await client.readExactly(15) == Array("hello-pipelined".utf8))
            try await client.send("more bytes")
            #expect(try await client.readExactly(10) == Array("more bytes".utf8))
            // Half-close: the echo server sees EOF, closes, and the tunnel ends.
            client.shutdownWrite()
            #expect(await client.waitForClose().isCleanClose)
            #expect(await eventually { server.server.core.openConnections == 0 })
            #expect(await eventually { totals.value.count == 1 })
            #expect(totals.value.first == TunnelTotals(fromClient: 25, fromUpstream: 25))
            #expect(server.server.statistics.tunnels.load(ordering: .relaxed) == 1)
        }
    }

    // MARK: socketpair upstreams (the test holds the other end)

    @Test func largeTransfersAreBoundedBySlowReadersInBothDirections() async throws {
        let pair = PairUpstreams()
        try await withTestServer(pair.handler, configuration: testConfiguration(), unix: true) { server in
            let client = try await pair.open(server)
            let peer = try #require(pair.peers.value.first)
            let size = 16 * 1024 * 1024
            let highWater = server.server.configuration.outputHighWater

            // Upstream → client while the client does not read.
            let down = Writer(peer, pattern: 7, size: size)
            try await Task.sleep(for: .milliseconds(400))
            let stalledAt = down.progress
            #expect(stalledAt < 4 * 1024 * 1024, "the tunnel buffered without bound: \(stalledAt) bytes taken")
            #expect(stalledAt > highWater / 2)
            #expect(try await readPattern(client, pattern: 7, size: size))
            #expect(try await down.finished())

            // Client → upstream while the upstream does not read.
            let up = Writer(client, pattern: 11, size: size)
            try await Task.sleep(for: .milliseconds(400))
            #expect(up.progress < 4 * 1024 * 1024, "the tunnel buffered without bound: \(up.progress) bytes taken")
            #expect(try await readPattern(peer, pattern: 11, size: size))
            #expect(try await up.finished())
            client.close()
            peer.close()
            #expect(await eventually { server.server.core.openConnections == 0 })
        }
    }

    @Test func halfClosesPropagateBothWays() async throws {
        let pair = PairUpstreams()
        try await withTestServer(pair.handler, configuration: testConfiguration()) { server in
            let client = try await pair.open(server)
            let peer = try #require(pair.peers.value.first)
            try await client.send("request")
            client.shutdownWrite()
            // The upstream reads the bytes, then EOF...
            #expect(try await peer.readUntilClose() == Array("request".utf8))
            // ...and can still answer, which the client reads before its EOF.
            try await peer.send("answer")
            peer.shutdownWrite()
            #expect(try await client.readUntilClose() == Array("answer".utf8))
            #expect(await eventually { server.server.core.openConnections == 0 })
            #expect(await eventually { pair.totals.value == [TunnelTotals(fromClient: 7, fromUpstream: 6)] })
        }
    }

    @Test func upstreamClosingEndsTheClientsSide() async throws {
        let pair = PairUpstreams()
        try await withTestServer(pair.handler, configuration: testConfiguration()) { server in
            let client = try await pair.open(server)
            let peer = try #require(pair.peers.value.first)
            try await peer.send("bye")
            peer.close()
            #expect(try await client.readUntilClose() == Array("bye".utf8))
            client.close()
            #expect(await eventually { server.server.core.openConnections == 0 })
        }
    }

    @Test func clientClosingClosesTheUpstream() async throws {
        let pair = PairUpstreams()
        try await withTestServer(pair.handler, configuration: testConfiguration()) { server in
            let client = try await pair.open(server)
            let peer = try #require(pair.peers.value.first)
            try await client.send("x")
            client.close()
            #expect(try await peer.readUntilClose() == Array("x".utf8))
            // The upstream keeps talking to a client that is gone: the tunnel is torn down.
            let failed = await eventually {
                (try? peer.sendNow(Array(repeating: 1, count: 4096))) == nil
            }
            #expect(failed)
            #expect(await eventually { server.server.core.openConnections == 0 })
            #expect(await eventually { pair.totals.value.count == 1 })
        }
    }

    @Test func shutdownClosesTunnelsAtTheGraceDeadline() async throws {
        let pair = PairUpstreams()
        try await withTestServer(pair.handler, configuration: testConfiguration()) { server in
            let client = try await pair.open(server)
            let peer = try #require(pair.peers.value.first)
            try await client.send("ping")
            #expect(try await peer.readExactly(4) == Array("ping".utf8))
            let started = ContinuousClock.now
            await server.server.shutdown(grace: .milliseconds(300))
            #expect(ContinuousClock.now - started >= .milliseconds(300)) // a live tunnel is not idle
            #expect(server.server.core.openConnections == 0)
            #expect(await client.waitForClose().isClosed)
            #expect(await peer.waitForClose().isClosed)
            #expect(pair.totals.value.count == 1)
        }
    }

    @Test func idleTunnelsAreClosed() async throws {
        let pair = PairUpstreams()
        try await withTestServer(pair.handler, configuration: testConfiguration { $0.tunnelIdleTimeout = .milliseconds(300) }) { server in
            let client = try await pair.open(server)
            let peer = try #require(pair.peers.value.first)
            #expect(await client.waitForClose().isClosed)
            #expect(await peer.waitForClose().isClosed)
            #expect(await eventually { server.server.core.openConnections == 0 })
        }
    }

    @Test func aTunnelBodyOnARefusalClosesTheUpstreamAndSendsTheHeadAlone() async throws {
        let pair = PairUpstreams(status: .forbidden)
        try await withTestServer(pair.handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 403)
            #expect(response.closes)
            let peer = try #require(pair.peers.value.first)
            #expect(await peer.waitForClose().isClosed)
            #expect(pair.totals.value == [TunnelTotals(opened: false)])
        }
    }

    @Test func aTunnelToAClientThatLeftIsClosed() async throws {
        let release = Locked(false)
        let pair = PairUpstreams()
        let handler = ClosureHandler { request in
            .async {
                _ = await eventually { release.value }
                guard case .response(let response) = pair.handler.handle(request) else { return .text("?") }
                return response
            }
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n")
            #expect(await eventually { server.server.statistics.requests.load(ordering: .relaxed) == 1 })
            // Nothing is read while the handler works, so the server learns of the close only
            // when the tunnel starts: its upstream must then be closed, not leaked.
            client.close()
            release.set(true)
            #expect(await eventually { server.server.core.openConnections == 0 })
            #expect(await eventually { pair.totals.value.count == 1 })
            #expect(pair.totals.value.first?.opened == true) // started, then torn down by the reset
            let peer = try #require(pair.peers.value.first)
            #expect(await peer.waitForClose().isClosed)
        }
    }
}

// MARK: helpers

/// A handler whose tunnels go to one end of a fresh socketpair; the test holds the other.
private final class PairUpstreams: Sendable {
    let peers = Locked<[RawClient]>([])
    let totals = Locked<[TunnelTotals]>([])
    let status: HTTPStatus

    init(status: HTTPStatus = .ok) { self.status = status }

    var handler: ClosureHandler {
        ClosureHandler { [self] _ in
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
                return .response(.text("socketpair failed", status: .internalServerError))
            }
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            let peer = RawClient(adopting: fds[1])
            peers.update { $0.append(peer) }
            let totals = self.totals
            let ours = fds[0]
            return .response(Response(status: status, body: .tunnel(TunnelUpstream(fd: ours) { t in
                totals.update { $0.append(t) }
            })))
        }
    }

    /// A client with an established tunnel.
    func open(_ server: TestServer) async throws -> RawClient {
        let client = try server.connect()
        try await client.send("CONNECT upstream.test:443 HTTP/1.1\r\nHost: upstream.test:443\r\n\r\n")
        let head = try await client.readResponse(head: true)
        #expect(head.status == 200)
        return client
    }
}

/// Writes `size` bytes of a pattern on a thread of its own, counting what the socket took.
private final class Writer: Sendable {
    private let done = Locked<Bool?>(nil)
    private let written = Atomic<Int>(0)

    init(_ socket: RawClient, pattern: UInt8, size: Int) {
        let chunk = (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* Int(pattern)) }
        Thread { [self] in
            var sent = 0
            var ok = true
            while sent < size {
                do { try socket.sendNow(Array(chunk[0..<min(chunk.count, size - sent)])) } catch { ok = false; break }
                sent += min(chunk.count, size - sent)
                written.store(sent, ordering: .relaxed)
            }
            done.set(ok)
        }.start()
    }

    var progress: Int { written.load(ordering: .relaxed) }

    func finished() async -> Bool {
        _ = await eventually(timeout: .seconds(30)) { done.value != nil }
        return done.value == true
    }
}

/// Reads `size` bytes and checks they follow `Writer`'s pattern.
private func readPattern(_ socket: RawClient, pattern: UInt8, size: Int) async throws -> Bool {
    var offset = 0
    while offset < size {
        let n = min(1 << 20, size - offset)
        let bytes = try await socket.readExactly(n)
        for (i, byte) in bytes.enumerated() where byte != UInt8(truncatingIfNeeded: ((offset + i) % 65536) &* Int(pattern)) {
            return false
        }
        offset += n
    }
    return true
}
