import COpenSSL
import Foundation
import Testing
import TestSupport
@testable import HTTP

/// How TLS connections end, are reused, and survive post-handshake messages.
@Suite struct TLSConnectionTests {
    /// `/cut-untilclose` and `/cut-length` send half a body and stop without close_notify;
    /// `/untilclose` sends a close-delimited body and ends it properly.
    let cuttingHandler: TLSTestServer.Handler = { request, connection in
        switch request.target {
        case "/untilclose":
            connection.send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
            connection.closeWithNotify()
        case "/cut-untilclose":
            connection.send("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhalf of i")
            connection.closeWithoutNotify()
        case "/cut-length":
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf of it")
            connection.closeWithoutNotify()
        default:
            tlsEchoHandler(request, connection)
        }
    }

    @Test func aCloseDelimitedBodyEndedByCloseNotifyIsComplete() async throws {
        try await withTLSFixture(cuttingHandler) { f, server in
            let response = try await f.client.execute(ClientRequest(target: "/untilclose"), to: f.destination(server))
            #expect(response.bodyString == "all of it")
        }
    }

    @Test func aCloseDelimitedBodyCutWithoutCloseNotifyIsTruncation() async throws {
        try await withTLSFixture(cuttingHandler) { f, server in
            await #expect {
                try await f.client.execute(ClientRequest(target: "/cut-untilclose"), to: f.destination(server))
            } throws: { error in
                guard case .tls(let tls) = error as? HTTPClientError else { return false }
                return tls.kind == .truncated
            }
            // Streamed, the part that came is delivered and then the truncation is reported.
            let (_, body) = try await f.client.stream(ClientRequest(target: "/cut-untilclose"), to: f.destination(server))
            var received: [UInt8] = []
            do {
                for try await chunk in body { received.append(contentsOf: chunk) }
                Issue.record("a truncated stream ended as if complete")
            } catch let error as HTTPClientError {
                guard case .tls(let tls) = error else { Issue.record("unexpected \(error)"); return }
                #expect(tls.kind == .truncated)
            }
            #expect(String(decoding: received, as: UTF8.self) == "half of i")
        }
    }

    @Test func aLengthDelimitedBodyCutShortIsAnError() async throws {
        try await withTLSFixture(cuttingHandler) { f, server in
            await #expect(throws: HTTPClientError.connectionClosed) {
                try await f.client.execute(ClientRequest(target: "/cut-length"), to: f.destination(server))
            }
        }
    }

    /// Not about TLS, but found with it: epoll reports data and the FIN in one edge when a server
    /// writes and closes at once, and the read path plain and TLS share must still read the EOF.
    @Test func aPlainCloseDelimitedBodyEndsWhenTheServerWritesAndClosesAtOnce() async throws {
        let (fd, port) = try TLSTestServer.listenOnLoopback()
        let rounds = 10
        Thread {
            for _ in 0..<rounds {
                let connection = TLSTestServer.acceptBlocking(fd)
                var request = [UInt8](repeating: 0, count: 4096)
                _ = read(connection, &request, request.count)
                let response = Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nclose-delimited".utf8)
                _ = write(connection, response, response.count)
                close(connection)
            }
            close(fd)
        }.start()
        let f = try TLSTestFixture()
        defer { f.stop() }
        for _ in 0..<rounds {
            let r = try await f.client.execute(ClientRequest(target: "/"), to: .tcp(host: "127.0.0.1", port: port))
            #expect(r.bodyString == "close-delimited")
        }
    }

    @Test func anIdleConnectionClosedByTheServerIsReplacedForTheNextRequest() async throws {
        let handler: TLSTestServer.Handler = { request, connection in
            tlsEchoHandler(request, connection)
            connection.closeWithoutNotify() // keep-alive promised, then gone
        }
        try await withTLSFixture(handler) { f, server in
            for _ in 0..<3 {
                let r = try await f.client.execute(ClientRequest(target: "/hello"), to: f.destination(server))
                #expect(r.bodyString == "hello")
            }
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 3)
        }
    }

    @Test func keyUpdatesAndTicketsBetweenRequestsAreTransparent() async throws {
        let handler: TLSTestServer.Handler = { request, connection in
            tlsEchoHandler(request, connection)
            connection.requestKeyUpdate() // TLS 1.3: the client must answer with its own KeyUpdate
        }
        try await withTLSFixture(handler) { f, server in
            for i in 0..<4 {
                let body = Array("round \(i)".utf8)
                let r = try await f.client.execute(ClientRequest(method: "POST", target: "/echo", body: body), to: f.destination(server))
                #expect(r.body == body)
            }
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 1)
        }
    }

    @Test func aServerInitiatedRenegotiationIsTransparent() async throws {
        let seen = Locked<[String]>([])
        let handler: TLSTestServer.Handler = { request, connection in
            let state = "\(connection.negotiatedVersion) renegotiations=\(connection.renegotiations)"
            seen.update { $0.append(state) }
            tlsEchoHandler(request, connection)
            connection.renegotiate() // TLS 1.2 HelloRequest; the handshake runs under the next request
        }
        try await withTLSFixture(maxVersion: TLS1_2_VERSION, handler) { f, server in
            for i in 0..<4 {
                let body = pseudoRandomBytes(100_000 + i, seed: UInt64(i))
                let r = try await f.client.execute(ClientRequest(method: "POST", target: "/echo", body: body), to: f.destination(server))
                #expect(r.body == body)
            }
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 1)
        }
        #expect(seen.value == (0..<4).map { "TLSv1.2 renegotiations=\($0)" })
    }

    @Test func tlsAndPlainConnectionsToOneAddressNeverShareThePool() async throws {
        // A TLS server: a plain request to its address must not ride the pooled TLS connection.
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let tls = f.destination(server)
            let reply = try await f.client.execute(ClientRequest(target: "/hello"), to: tls)
            #expect(reply.bodyString == "hello")
            let plain = ClientDestination.plain(tls.address)
            await #expect(throws: HTTPClientError.self) {
                try await f.client.execute(ClientRequest(target: "/hello"), to: plain)
            }
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 2)
            #expect(server.handshakesFailed.load(ordering: .relaxed) == 1)
            // The TLS connection is still pooled and still works.
            let again = try await f.client.execute(ClientRequest(target: "/hello"), to: tls)
            #expect(again.bodyString == "hello")
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 2)
        }
        // A plain server: a TLS request to its address must not ride the pooled plain connection.
        let f = try TLSTestFixture()
        defer { f.stop() }
        try await withTestServer(echoHandler) { server in
            let reply = try await f.client.execute(ClientRequest(target: "/healthz"), to: server.address)
            #expect(reply.bodyString == "ok")
            let error = await #expect(throws: HTTPClientError.self) {
                try await f.client.execute(ClientRequest(target: "/healthz"), to: .tls(server.address, serverName: "localhost"))
            }
            if case .tls(let tls) = error { #expect(tls.kind == .handshake) } else { Issue.record("expected a handshake failure, got \(String(describing: error))") }
            let again = try await f.client.execute(ClientRequest(target: "/healthz"), to: server.address)
            #expect(again.bodyString == "ok")
            #expect(server.server.statistics.connectionsAccepted.load(ordering: .relaxed) == 2)
        }
    }

    @Test func poolKeysSeparateSchemesAndServerNames() {
        let address = SocketAddress.tcp(host: "10.0.0.1", port: 443)
        let keys = [ClientDestination.plain(address), .tls(address, serverName: "a.example"),
                    .tls(address, serverName: "b.example")].map(\.poolKey)
        #expect(Set(keys).count == 3)
        #expect(ClientDestination.https(host: "api.anthropic.com").defaultHost == "api.anthropic.com")
        #expect(ClientDestination.https(host: "api.example.com", port: 8443).defaultHost == "api.example.com:8443")
        #expect(ClientDestination.tls(.tcp(host: "::1", port: 443), serverName: "::1").defaultHost == "[::1]")
    }
}
