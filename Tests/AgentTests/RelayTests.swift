import Foundation
import HTTP
import ScriptedModel
import Testing
@testable import Agent

/// The 127.0.0.1:3128 relay splices TCP connections to the proxy socket byte for byte.
@Suite struct RelayTests {
    static func socketPath() -> String { "/tmp/relay-\(UUID().uuidString.prefix(8)).sock" }

    @Test func splicesBytesBothWaysWithHalfCloses() async throws {
        let path = Self.socketPath()
        let listener = try BlockingSockets.listenUnix(path)
        defer { unlink(path) }
        let relay = try Relay(listen: .tcp(host: "127.0.0.1", port: 0), upstream: path, log: .discard)
        defer { relay.close() }
        guard case .tcp(_, let port) = relay.address else { throw TestFailure("not TCP") }
        #expect(port != 0)

        // Upstream speaks first, then reads to the end (it sees the client's half-close), then
        // answers with everything it read, reversed, and closes.
        let upstream = Task {
            try await BlockingSockets.onThread {
                // Closed by the thread that accepts on it: if the test fails before that accept,
                // a close from the test would leave it to accept on whatever socket then gets
                // the number (another test's listener).
                defer { close(listener) }
                let fd = try BlockingSockets.accept(listener)
                defer { close(fd) }
                try BlockingSockets.writeAll(fd, Array("greeting\n".utf8))
                let received = BlockingSockets.readToEnd(fd)
                try BlockingSockets.writeAll(fd, received.reversed())
                return received.count
            }
        }
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let answer = try await BlockingSockets.onThread {
            let fd = try BlockingSockets.connectTCP(port: port)
            defer { close(fd) }
            let greeting = BlockingSockets.read(fd, count: 9)
            try BlockingSockets.writeAll(fd, payload)
            shutdown(fd, Int32(SHUT_WR))
            return (greeting, BlockingSockets.readToEnd(fd))
        }
        #expect(String(decoding: answer.0, as: UTF8.self) == "greeting\n")
        #expect(try await upstream.value == payload.count)
        #expect(answer.1.count == payload.count)
        #expect(answer.1 == payload.reversed())
    }

    @Test func closesTheClientWhenTheProxySocketIsMissing() async throws {
        let relay = try Relay(listen: .tcp(host: "127.0.0.1", port: 0), upstream: Self.socketPath(), log: .discard)
        defer { relay.close() }
        guard case .tcp(_, let port) = relay.address else { throw TestFailure("not TCP") }
        let read = try await BlockingSockets.onThread {
            let fd = try BlockingSockets.connectTCP(port: port)
            defer { close(fd) }
            return BlockingSockets.readToEnd(fd)
        }
        #expect(read.isEmpty)
    }

    @Test func refusesAddressesItCannotServe() {
        #expect(throws: RelayError.self) { try Relay(listen: .unix(path: "/tmp/x.sock"), upstream: "/tmp/y.sock", log: .discard) }
        #expect(throws: RelayError.self) { try Relay(listen: .tcp(host: "localhost", port: 0), upstream: "/tmp/y.sock", log: .discard) }
    }

    /// An HTTP client configured with the relay as its proxy reaches the proxy socket's routes.
    @Test func httpThroughTheRelayReachesTheProxy() async throws {
        try await AgentHarness.run(ModelScript([])) { h in
            let relay = try Relay(listen: .tcp(host: "127.0.0.1", port: 0), upstream: h.proxySocket, log: .discard)
            defer { relay.close() }
            let body = Array("through the relay ✓".utf8)
            try await TestClient.with { client in
                for _ in 0..<3 { // keep-alive over one spliced connection
                    let response = try await client.execute(ClientRequest(method: "POST", target: "/echo", body: body),
                                                            to: relay.address)
                    #expect(response.status == .ok)
                    #expect(response.body == body)
                }
            }
        }
    }
}
