import Foundation
import Testing
import TestSupport
@testable import HTTP

/// The client against a live server over real sockets.
@Suite struct ClientTests {
    final class Fixture: Sendable {
        let group: EventLoopGroup
        let server: HTTPServer
        let client: HTTPClient
        let address: SocketAddress

        init(configuration: ServerConfiguration = .init(), clientConfiguration: HTTPClient.Configuration = .init(),
             unixPath: String? = nil) throws {
            group = try EventLoopGroup(loopCount: 2)
            var router = Router()
            router.get("/hello", .inline { _ in .text("hello") })
            router.post("/echo", .inline { req in
                Response(headers: ["X-Echo-Method": req.method], bytes: req.body)
            })
            router.get("/stream", .inline { req in
                let parts = Int(req.queryParameters["parts"] ?? "3") ?? 3
                return Response(body: .stream { writer in
                    for i in 0..<parts {
                        try await writer.write("part-\(i);")
                        try await Task.sleep(for: .milliseconds(20))
                    }
                })
            })
            router.get("/slow", .async { _ in
                try await Task.sleep(for: .seconds(1))
                return .text("late")
            })
            server = HTTPServer(group: group, configuration: configuration, handler: router)
            if let unixPath {
                address = try server.listen(.unix(path: unixPath)).address
            } else {
                address = try server.listen(.tcp(host: "127.0.0.1", port: 0)).address
            }
            client = HTTPClient(group: group, configuration: clientConfiguration)
        }

        func stop() async {
            client.shutdown()
            await server.shutdown(grace: .seconds(5))
            group.shutdown()
        }
    }

    @Test func getAndPostOverTCP() async throws {
        let f = try Fixture()
        let hello = try await f.client.execute(ClientRequest(target: "/hello"), to: f.address)
        #expect(hello.status == .ok)
        #expect(hello.bodyString == "hello")
        #expect(hello.headers["X-Request-Id"]?.hasPrefix("req_") == true)
        let body = Array("payload ✓".utf8)
        let echo = try await f.client.execute(ClientRequest(method: "POST", target: "/echo", body: body), to: f.address)
        #expect(echo.body == body)
        #expect(echo.headers["X-Echo-Method"] == "POST")
        await f.stop()
    }

    @Test func keepAliveConnectionsAreReused() async throws {
        let f = try Fixture()
        for _ in 0..<5 {
            let r = try await f.client.execute(ClientRequest(target: "/hello"), to: f.address)
            #expect(r.status == .ok)
        }
        #expect(f.server.statistics.connectionsAccepted.load(ordering: .relaxed) == 1)
        #expect(f.server.statistics.requests.load(ordering: .relaxed) == 5)
        await f.stop()
    }

    @Test func unixSocket() async throws {
        let path = NSTemporaryDirectory() + "warden-client-\(UUID().uuidString.prefix(8)).sock"
        let f = try Fixture(unixPath: path)
        let r = try await f.client.execute(ClientRequest(target: "/hello"), to: f.address)
        #expect(r.bodyString == "hello")
        await f.stop()
        #expect(!FileManager.default.fileExists(atPath: path), "closing a unix listener removes its socket file")
    }

    @Test func chunkedResponseIsCollected() async throws {
        let f = try Fixture()
        let r = try await f.client.execute(ClientRequest(target: "/stream?parts=4"), to: f.address)
        #expect(r.headers["Transfer-Encoding"] == "chunked")
        #expect(r.bodyString == "part-0;part-1;part-2;part-3;")
        await f.stop()
    }

    @Test func streamedBodyArrivesIncrementally() async throws {
        let f = try Fixture()
        let (head, body) = try await f.client.stream(ClientRequest(target: "/stream?parts=3"), to: f.address)
        #expect(head.status == .ok)
        var chunks: [String] = []
        for try await chunk in body { chunks.append(String(decoding: chunk, as: UTF8.self)) }
        #expect(chunks.joined() == "part-0;part-1;part-2;")
        #expect(chunks.count >= 2, "chunks written 20 ms apart are delivered separately")
        // The connection went back to the pool and serves the next request.
        let again = try await f.client.execute(ClientRequest(target: "/hello"), to: f.address)
        #expect(again.bodyString == "hello")
        await f.stop()
    }

    @Test func headResponseHasNoBody() async throws {
        let f = try Fixture()
        let r = try await f.client.execute(ClientRequest(method: "HEAD", target: "/hello"), to: f.address)
        #expect(r.status == .ok)
        #expect(r.headers["Content-Length"] == "5")
        #expect(r.body.isEmpty)
        let next = try await f.client.execute(ClientRequest(target: "/hello"), to: f.address)
        #expect(next.bodyString == "hello")
        await f.stop()
    }

    @Test func staleIdleConnectionIsReplaced() async throws {
        var config = ServerConfiguration()
        config.idleTimeout = .milliseconds(100)
        let f = try Fixture(configuration: config)
        _ = try await f.client.execute(ClientRequest(target: "/hello"), to: f.address)
        try await Task.sleep(for: .milliseconds(400)) // the server closes the idle connection
        let r = try await f.client.execute(ClientRequest(target: "/hello"), to: f.address)
        #expect(r.bodyString == "hello")
        await f.stop()
    }

    @Test func idleTimeoutFailsTheRequest() async throws {
        var clientConfig = HTTPClient.Configuration()
        clientConfig.idleTimeout = .milliseconds(200)
        let f = try Fixture(clientConfiguration: clientConfig)
        await #expect(throws: HTTPClientError.timedOut) {
            _ = try await f.client.execute(ClientRequest(target: "/slow"), to: f.address)
        }
        await f.stop()
    }

    @Test func refusedConnectionIsATypedError() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        let client = HTTPClient(group: group)
        // A port bound by a socket that never listens: nothing can answer there. (A listener
        // bound and closed frees its port, which another test's server may be given at once.)
        let reserved = try ReservedPort()
        do {
            _ = try await client.execute(ClientRequest(target: "/"), to: .tcp(host: "127.0.0.1", port: reserved.port))
            Issue.record("expected a connect error")
        } catch {
            guard case .connect(let e) = error else { Issue.record("unexpected \(error)"); return }
            #expect(e.errno == ECONNREFUSED)
        }
        withExtendedLifetime(reserved) { group.shutdown() }
    }

    @Test func parsesResponseFramingRules() throws {
        func parse(_ text: String, method: String = "GET") throws -> ResponseHead {
            let bytes = Array(text.utf8)
            return try bytes.withUnsafeBufferPointer { buf in
                var scanner = HeadScanner()
                guard case .complete(let end) = try scanner.scan(buf, limit: 1 << 16) else { throw HTTPParseError.invalidStatusLine }
                return try ResponseHeadParser().parse(buf, end: end, requestMethod: method)
            }
        }
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n").framing == .length(3))
        #expect(try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").framing == .chunked)
        #expect(try parse("HTTP/1.1 200 OK\r\n\r\n").framing == .untilClose)
        #expect(try parse("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n").framing == .none)
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", method: "HEAD").framing == .none)
        #expect(try parse("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n").keepAlive == false)
        #expect(try parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n").keepAlive == false)
        #expect(throws: HTTPParseError.invalidContentLength) {
            try parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n")
        }
        #expect(throws: HTTPParseError.invalidStatusLine) { try parse("HTTP/1.1 20 OK\r\n\r\n") }
        #expect(throws: HTTPParseError.invalidStatusLine) { try parse("HTTP/2 200 OK\r\n\r\n") }
    }
}
