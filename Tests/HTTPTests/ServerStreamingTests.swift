import Foundation
import Testing
import TestSupport
@testable import HTTP

@Suite("Server: streamed responses")
struct ServerStreamingTests {
    static func events(_ count: Int) -> String {
        (1...count).map { "data: event \($0)\n\n" }.joined()
    }

    static let sseHandler = ClosureHandler { request in
        switch request.path {
        case "/events":
            return .response(Response(status: .ok, headers: ["Content-Type": "text/event-stream"], body: .stream { writer in
                for i in 1...5 {
                    try await writer.write("data: event \(i)\n\n")
                    try await Task.sleep(for: .milliseconds(10))
                }
            }))
        case "/empty-writes":
            return .response(Response(status: .ok, body: .stream { writer in
                try await writer.write([])
                try await writer.write("x")
                try await writer.write([])
            }))
        case "/fails":
            return .response(Response(status: .ok, body: .stream { writer in
                try await writer.write("partial data")
                struct Boom: Error {}
                throw Boom()
            }))
        default:
            return .response(.text("plain"))
        }
    }

    @Test func chunkedStreamIsReceivedCompletely() async throws {
        try await withTestServer(Self.sseHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/events"))
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.chunked)
            #expect(response.header("Content-Length") == nil)
            #expect(response.header("Content-Type") == "text/event-stream")
            #expect(response.bodyString == Self.events(5))
            #expect(!response.closes)
            // The terminal chunk ended the body, so the connection carries on.
            try await client.send(get("/events"))
            #expect(try await client.readResponse().bodyString == Self.events(5))
            try await client.send(get("/plain"))
            #expect(try await client.readResponse().bodyString == "plain")
        }
    }

    @Test func emptyWritesDoNotEndTheStream() async throws {
        try await withTestServer(Self.sseHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/empty-writes"))
            let response = try await client.readResponse()
            #expect(response.bodyString == "x")
            try await client.send(get("/plain"))
            #expect(try await client.readResponse().bodyString == "plain")
        }
    }

    @Test func streamToHTTP10RunsUntilClose() async throws {
        try await withTestServer(Self.sseHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("GET /events HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(!response.chunked)
            #expect(response.closes)
            #expect(response.bodyString == Self.events(5))
        }
    }

    @Test func headOfAStreamHasNoBody() async throws {
        try await withTestServer(Self.sseHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("HEAD /events HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try await client.readResponse(head: true)
            #expect(response.status == 200)
            try await client.send(get("/plain"))
            #expect(try await client.readResponse().bodyString == "plain")
        }
    }

    @Test func failingProducerAbortsTheResponse() async throws {
        try await withTestServer(Self.sseHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/fails"))
            // No terminal chunk: the client must be able to tell the body is incomplete.
            await #expect(throws: RawClientError.self) { try await client.readResponse() }
            // The server itself is fine.
            let other = try server.connect()
            try await other.send(get("/plain"))
            #expect(try await other.readResponse().status == 200)
        }
    }

    @Test func producerIsSuspendedWhenTheClientDoesNotRead() async throws {
        let produced = Locked(0)
        let outcome = Locked<String?>(nil)
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        let total = 64 * 1024 * 1024
        let handler = ClosureHandler { request in
            guard request.path == "/big" else { return .response(.text("ok")) }
            return .response(Response(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: .stream { writer in
                do {
                    while produced.value < total {
                        try await writer.write(piece)
                        produced.update { $0 += piece.count }
                    }
                    outcome.set("finished")
                } catch {
                    outcome.set("threw \(type(of: error))")
                    throw error
                }
            }))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            // A small receive buffer turns off autotuning, so the kernel holds little on our side.
            let client = try server.connect(receiveBuffer: 64 * 1024)
            try await client.send(get("/big"))

            // Wait until the producer stops making progress (it is parked on back-pressure),
            // or give up after a bounded wait.
            var last = -1, stableRounds = 0
            for _ in 0..<40 where stableRounds < 4 {
                try await Task.sleep(for: .milliseconds(250))
                let now = produced.value
                stableRounds = now == last ? stableRounds + 1 : 0
                last = now
            }
            let written = produced.value
            #expect(written > 0, "the producer started")
            #expect(written < 16 * 1024 * 1024,
                    "a client that reads nothing held the producer back only at \(written) bytes")
            #expect(outcome.value == nil, "the producer is still suspended, not finished or failed")

            // The client goes away: the parked write fails and the producer ends.
            client.close()
            let ended = await eventually(timeout: .seconds(10)) { outcome.value != nil }
            #expect(ended, "the producer's write returned after the client closed")
            #expect(outcome.value?.hasPrefix("threw") == true, "\(outcome.value ?? "nil")")
            #expect(await eventually { server.server.core.openConnections == 0 })

            // And the server still serves.
            let next = try server.connect()
            try await next.send(get("/healthz"))
            #expect(try await next.readResponse().bodyString == "ok")
        }
    }

    @Test func slowReaderGetsEverything() async throws {
        let size = 6 * 1024 * 1024
        let handler = ClosureHandler { _ in
            .response(Response(status: .ok, body: .stream { writer in
                var sent = 0
                while sent < size {
                    let n = min(100_000, size - sent)
                    try await writer.write([UInt8](repeating: UInt8(truncatingIfNeeded: sent / 100_000), count: n))
                    sent += n
                }
            }))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect(receiveBuffer: 32 * 1024)
            try await client.send(get("/"))
            try await Task.sleep(for: .milliseconds(300))
            let response = try await client.readResponse()
            #expect(response.body.count == size)
            let expected = (0..<size).map { UInt8(truncatingIfNeeded: $0 / 100_000) }
            #expect(response.body == expected)
        }
    }
}
