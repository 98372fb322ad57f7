import Foundation
import Synchronization
import Testing
@testable import HTTP

/// HTTPS through the client against a real OpenSSL server on loopback.
@Suite struct TLSClientTests {
    @Test func getAndPostShareOneKeepAliveConnection() async throws {
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let hello = try await f.client.execute(ClientRequest(target: "/hello"), to: f.destination(server))
            #expect(hello.status == .ok)
            #expect(hello.bodyString == "hello")
            let body = Array("payload ✓".utf8)
            let echo = try await f.client.execute(ClientRequest(method: "POST", target: "/echo", body: body), to: f.destination(server))
            #expect(echo.body == body)
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 1)
        }
    }

    @Test func hostHeaderSNIAndALPNAgree() async throws {
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let info = try await f.client.execute(ClientRequest(target: "/info"), to: f.destination(server))
            #expect(info.bodyString == "sni=localhost alpn=http/1.1 host=localhost:\(server.port)")
        }
    }

    @Test func anIPAddressIsVerifiedAgainstTheCertificateAndSendsNoSNI() async throws {
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let info = try await f.client.execute(ClientRequest(target: "/info"), to: f.destination(server, name: "127.0.0.1"))
            #expect(info.bodyString == "sni=- alpn=http/1.1 host=127.0.0.1:\(server.port)")
        }
    }

    @Test func aHostHeaderForAnotherHostIsRefusedBeforeConnecting() async throws {
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let request = ClientRequest(target: "/hello", headers: ["Host": "evil.example"])
            let error = await #expect(throws: HTTPClientError.self) {
                try await f.client.execute(request, to: f.destination(server))
            }
            guard case .tls(let tls) = error else { Issue.record("expected a TLS error, got \(String(describing: error))"); return }
            #expect(tls.kind == .hostMismatch)
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 0)
            // The same name with a port, in another case, is the same host.
            let fine = ClientRequest(target: "/hello", headers: ["Host": "LOCALHOST:\(server.port)"])
            let reply = try await f.client.execute(fine, to: f.destination(server))
            #expect(reply.bodyString == "hello")
        }
    }

    @Test func chunkedBodyIsDecodedAndStreamedBodyArrivesIncrementally() async throws {
        let gate = DispatchSemaphore(value: 0)
        let handler: TLSTestServer.Handler = { request, connection in
            connection.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst;\r\n")
            if request.target == "/gated" { gate.wait() } // the second chunk only after the client saw the first
            connection.send("7\r\nsecond;\r\n0\r\nX-Trailer: done\r\n\r\n")
        }
        try await withTLSFixture(handler) { f, server in
            let whole = try await f.client.execute(ClientRequest(target: "/whole"), to: f.destination(server))
            #expect(whole.bodyString == "first;second;")
            #expect(whole.trailers["X-Trailer"] == "done")

            let (head, body) = try await f.client.stream(ClientRequest(target: "/gated"), to: f.destination(server))
            #expect(head.status == .ok)
            let first = try await body.next()
            #expect(first.map { String(decoding: $0, as: UTF8.self) } == "first;")
            gate.signal()
            #expect(String(decoding: try await body.collect(), as: UTF8.self) == "second;")
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 1)
        }
    }

    @Test func severalMegabytesBothWays() async throws {
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let upload = pseudoRandomBytes(6 * 1024 * 1024 + 123, seed: 42)
            let echo = try await f.client.execute(ClientRequest(method: "POST", target: "/echo", body: upload), to: f.destination(server))
            #expect(echo.body.count == upload.count)
            #expect(echo.body == upload)

            let size = 8 * 1024 * 1024 + 7
            let (_, body) = try await f.client.stream(ClientRequest(target: "/big?n=\(size)"), to: f.destination(server))
            var received: [UInt8] = []
            var chunks = 0
            for try await chunk in body {
                received.append(contentsOf: chunk)
                chunks += 1
            }
            #expect(received == pseudoRandomBytes(size, seed: 7))
            #expect(chunks > 1, "a large body arrives in pieces")
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == 1)
        }
    }

    @Test func manyConcurrentRequests() async throws {
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let destination = f.destination(server)
            let client = f.client
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<64 {
                    group.addTask {
                        let request = ClientRequest(method: "POST", target: "/echo", body: Array("request \(i)".utf8))
                        return try await client.execute(request, to: destination).bodyString
                    }
                }
                var all: [String] = []
                for try await body in group { all.append(body) }
                return all
            }
            #expect(Set(bodies) == Set((0..<64).map { "request \($0)" }))
            #expect(server.handshakesFailed.load(ordering: .relaxed) == 0)
            // Connections went back to the pool: another round opens (almost) none.
            let before = server.connectionsAccepted.load(ordering: .relaxed)
            for _ in 0..<8 { _ = try await client.execute(ClientRequest(target: "/hello"), to: destination) }
            #expect(server.connectionsAccepted.load(ordering: .relaxed) == before)
        }
    }

    @Test func trustFromACAFile() async throws {
        let authority = TLSTestCertificate.authority()
        let path = NSTemporaryDirectory() + "warden-ca-\(UUID().uuidString.prefix(8)).pem"
        try authority.pem.write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let f = try TLSTestFixture(configure: { $0.tls.additionalRoots = [.file(path)] })
        defer { f.stop() }
        try await withTLSTestServer(certificate: authority.issue(for: ["localhost"]), tlsEchoHandler) { server in
            try f.client.prepareTLS()
            let reply = try await f.client.execute(ClientRequest(target: "/hello"), to: f.destination(server))
            #expect(reply.bodyString == "hello")
        }
    }
}
