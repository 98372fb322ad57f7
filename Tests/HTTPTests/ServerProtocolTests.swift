import Foundation
import Testing
import TestSupport
@testable import HTTP

/// Checks the JSON error envelope and its request id: `{"error":{"type","code","message"},"request_id"}`
/// with `X-Request-Id` carrying the same id.
func expectEnvelope(_ response: RawResponse, status: Int, code: String? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == status, "status of \(response)", sourceLocation: sourceLocation)
    #expect(response.header("Content-Type")?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    guard let json = response.json, let error = json["error"] as? [String: Any] else {
        Issue.record("not an error envelope: \(response.bodyString)", sourceLocation: sourceLocation)
        return
    }
    let type = error["type"] as? String
    #expect(type?.isEmpty == false, "error.type", sourceLocation: sourceLocation)
    #expect((error["message"] as? String)?.isEmpty == false, "error.message", sourceLocation: sourceLocation)
    if let code {
        #expect(error["code"] as? String == code, "error.code in \(response.bodyString)", sourceLocation: sourceLocation)
    } else {
        #expect((error["code"] as? String)?.isEmpty == false, "error.code", sourceLocation: sourceLocation)
    }
    let requestID = json["request_id"] as? String
    #expect(requestID?.isEmpty == false, "request_id", sourceLocation: sourceLocation)
    #expect(response.header("X-Request-Id") == requestID, "X-Request-Id matches request_id", sourceLocation: sourceLocation)
}

func get(_ path: String, _ extra: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: test.local\r\n\(extra)\r\n"
}

func post(_ path: String, _ body: String, _ extra: String = "") -> String {
    "POST \(path) HTTP/1.1\r\nHost: test.local\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
}

@Suite("Server: connections and framing")
struct ServerProtocolTests {
    // MARK: keep-alive

    func keepAliveExchange(_ server: TestServer) async throws {
        let client = try server.connect()
        for i in 0..<5 {
            try await client.send(get("/echo?i=\(i)"))
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyString == echoText("GET", "/echo", query: "i=\(i)"))
            #expect(!response.closes)
            #expect(response.header("Content-Length") == "\(response.body.count)")
        }
        try await client.send(post("/echo", "last one"))
        #expect(try await client.readResponse().bodyString == echoText("POST", "/echo", body: "last one"))
    }

    @Test func keepAliveOverTCP() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            try await keepAliveExchange(server)
        }
    }

    @Test func keepAliveOverUnixSocket() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration(), unix: true) { server in
            guard case .unix = server.address else { Issue.record("not a unix listener"); return }
            try await keepAliveExchange(server)
            // Errors and closes work the same way there.
            let client = try server.connect()
            try await client.send("GET / HTTP/1.1\r\n\r\n")
            let response = try await client.readResponse()
            expectEnvelope(response, status: 400, code: "missing_host")
            #expect(await client.waitForClose().isCleanClose)
        }
    }

    @Test func connectionCloseClosesAfterTheResponse() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/echo?a=1"))
            #expect(try await client.readResponse().status == 200)
            try await client.send(get("/echo?a=2", "Connection: close\r\n"))
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyString == echoText("GET", "/echo", query: "a=2"))
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
        }
    }

    @Test func http10WithoutKeepAliveCloses() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("GET /echo HTTP/1.0\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyString == echoText("GET", "/echo"))
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
        }
    }

    @Test func http10WithKeepAliveStaysOpen() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            for i in 0..<3 {
                try await client.send("GET /echo?n=\(i) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try await client.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyString == echoText("GET", "/echo", query: "n=\(i)"))
                #expect(!response.closes)
                #expect(response.header("Connection")?.lowercased() == "keep-alive")
            }
        }
    }

    // MARK: pipelining

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            let batch = get("/echo?m=1") + get("/slow?ms=150&m=2") + post("/echo?m=3", "third")
                + get("/slow?ms=20&m=4") + get("/echo?m=5")
            try await client.send(batch)
            let expected = [
                echoText("GET", "/echo", query: "m=1"),
                echoText("GET", "/slow", query: "ms=150&m=2"),
                echoText("POST", "/echo", query: "m=3", body: "third"),
                echoText("GET", "/slow", query: "ms=20&m=4"),
                echoText("GET", "/echo", query: "m=5"),
            ]
            for text in expected {
                let response = try await client.readResponse()
                #expect(response.status == 200)
                #expect(response.bodyString == text)
            }
            // Nothing extra arrived, and the connection is still usable.
            #expect(client.buffered.isEmpty)
            try await client.send(get("/echo?m=6"))
            #expect(try await client.readResponse().bodyString == echoText("GET", "/echo", query: "m=6"))
        }
    }

    // A client may send its request(s) and then shut down its write side (nc -N, some
    // proxies and load balancers); whatever it asked for before the FIN is still answered.
    // The pause before the FIN makes the server see data and EOF as separate events.

    @Test func halfCloseAfterARequestToAnAsyncHandlerStillGetsTheResponse() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/slow?ms=300&m=1"))
            try await Task.sleep(for: .milliseconds(100))
            client.shutdownWrite()
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyString == echoText("GET", "/slow", query: "ms=300&m=1"))
        }
    }

    @Test func pipelinedRequestsThenHalfCloseAreAllAnswered() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/echo?m=1") + get("/slow?ms=300&m=2") + get("/echo?m=3"))
            try await Task.sleep(for: .milliseconds(100))
            client.shutdownWrite()
            let expected = [echoText("GET", "/echo", query: "m=1"), echoText("GET", "/slow", query: "ms=300&m=2"),
                            echoText("GET", "/echo", query: "m=3")]
            for (i, text) in expected.enumerated() {
                let response: RawResponse
                do {
                    response = try await client.readResponse()
                } catch {
                    Issue.record("response \(i + 1) of 3 never arrived: \(error)")
                    return
                }
                #expect(response.bodyString == text)
            }
        }
    }

    // MARK: requests in pieces

    @Test func contentLengthRequestSplitAtEveryByte() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let request = Array(post("/echo?split=1", "hello, world", "Content-Type: text/plain\r\nX-Extra: yes\r\n").utf8)
            let client = try server.connect()
            for k in 1..<request.count {
                try await client.send(request, splitAt: [k], pause: .milliseconds(3))
                let response = try await client.readResponse()
                #expect(response.status == 200, "split at \(k)")
                #expect(response.bodyString == echoText("POST", "/echo", query: "split=1", body: "hello, world"),
                        "split at \(k)")
            }
        }
    }

    @Test func chunkedRequestSplitAtEveryByte() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let request = Array(("POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;e=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: tt\r\n\r\n").utf8)
            let client = try server.connect()
            for k in 1..<request.count {
                try await client.send(request, splitAt: [k], pause: .milliseconds(3))
                let response = try await client.readResponse()
                #expect(response.status == 200, "split at \(k)")
                #expect(response.bodyString == echoText("POST", "/echo", body: "hello, world", trailer: "tt"),
                        "split at \(k)")
            }
        }
    }

    @Test func requestSentOneByteAtATime() async throws {
        // Eighty-odd sends can outlast a short header timeout when the whole suite runs on two
        // cores; this test is about parsing, not timeouts.
        let config = testConfiguration { $0.headerTimeout = .seconds(60); $0.bodyTimeout = .seconds(60) }
        try await withTestServer(echoHandler, configuration: config) { server in
            let request = Array(post("/echo", "abc").utf8)
            let client = try server.connect()
            try await client.send(request, splitAt: Array(1..<request.count), pause: .milliseconds(1))
            #expect(try await client.readResponse().bodyString == echoText("POST", "/echo", body: "abc"))
        }
    }

    @Test func leadingEmptyLinesAreIgnored() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("\r\n\r\n" + get("/echo?x=1"))
            #expect(try await client.readResponse().bodyString == echoText("GET", "/echo", query: "x=1"))
        }
    }

    // MARK: requests in pieces that end the connection
    //
    // These run in a child process (exit tests): the server crashed here, and a crash in
    // the test process would take every other test down with it.

    @Test func malformedHeadArrivingInPiecesGets400() async {
        await #expect(processExitsWith: .success) {
            try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
                let client = try server.connect()
                try await client.send("GET /echo HTTP/1.1\r\nHost: a\r\n")
                try await Task.sleep(for: .milliseconds(100))
                try await client.send("Host: b\r\n\r\n")
                let response = try await client.readResponse()
                expectEnvelope(response, status: 400, code: "duplicate_host")
                #expect(response.closes, "Connection: close in \(response)")
                #expect(await client.waitForClose().isCleanClose, "closed after the response")
            }
        }
    }

    @Test func connectionCloseRequestArrivingInPiecesIsAnswered() async {
        await #expect(processExitsWith: .success) {
            try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
                let client = try server.connect()
                try await client.send("GET /echo?m=slowtyper HTTP/1.1\r\nHost: a\r\n")
                try await Task.sleep(for: .milliseconds(100))
                try await client.send("Connection: close\r\n\r\n")
                let response = try await client.readResponse()
                #expect(response.bodyString == echoText("GET", "/echo", query: "m=slowtyper"), "\(response)")
                #expect(response.closes, "Connection: close in \(response)")
                #expect(await client.waitForClose().isCleanClose, "closed after the response")
            }
        }
    }

    @Test func http10RequestArrivingInPiecesIsAnswered() async {
        await #expect(processExitsWith: .success) {
            try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
                let client = try server.connect()
                try await client.send("GET /echo HTTP/1.0\r\n")
                try await Task.sleep(for: .milliseconds(100))
                try await client.send("\r\n")
                let response = try await client.readResponse()
                #expect(response.bodyString == echoText("GET", "/echo"), "\(response)")
                #expect(await client.waitForClose().isCleanClose, "closed after the response")
            }
        }
    }

    @Test func badRequestPipelinedBehindAnAsyncOneGets400() async {
        await #expect(processExitsWith: .success) {
            try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
                let client = try server.connect()
                // The second request waits in the connection's buffer while the first is handled.
                try await client.send(get("/slow?ms=100&m=1") + "GET /echo HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
                let first = try await client.readResponse()
                #expect(first.bodyString == echoText("GET", "/slow", query: "ms=100&m=1"), "\(first)")
                let second = try await client.readResponse()
                expectEnvelope(second, status: 400, code: "duplicate_host")
                #expect(await client.waitForClose().isCleanClose, "closed after the error")
            }
        }
    }

    @Test func closingRequestPipelinedBehindAnAsyncOneIsAnswered() async {
        await #expect(processExitsWith: .success) {
            try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
                let client = try server.connect()
                try await client.send(get("/slow?ms=100&m=1") + get("/echo?m=2", "Connection: close\r\n"))
                let first = try await client.readResponse()
                #expect(first.bodyString == echoText("GET", "/slow", query: "ms=100&m=1"), "\(first)")
                let second = try await client.readResponse()
                #expect(second.bodyString == echoText("GET", "/echo", query: "m=2"), "\(second)")
                #expect(second.closes, "Connection: close in \(second)")
            }
        }
    }

    // MARK: bodies

    @Test func chunkedBodyWithExtensionsAndTrailersReachesTheHandler() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("POST /echo HTTP/1.1\r\nHost: test.local\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;name=value;x=\"q s\"\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0;end\r\n"
                + "X-Trailer: checksum-42\r\nX-Other: 1\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyString == echoText("POST", "/echo", body: "Wikipedia in\r\n\r\nchunks.",
                                                    trailer: "checksum-42"))
            // Keep-alive still holds after a chunked body.
            try await client.send(get("/echo?after=chunked"))
            #expect(try await client.readResponse().bodyString == echoText("GET", "/echo", query: "after=chunked"))
        }
    }

    @Test func binaryBodyIsPassedThroughUnchanged() async throws {
        let received = Locked<[UInt8]>([])
        let handler = ClosureHandler { request in
            received.set(request.body)
            return .response(Response(status: .ok, bytes: request.body))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            var generator = SeededGenerator(seed: 7)
            let body = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let client = try server.connect()
            try await client.send(Array("PUT /blob HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(received.value == body)
            #expect(response.body == body)
        }
    }

    // MARK: Expect: 100-continue

    @Test func expectContinue() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n")
            let interim = try await client.readResponse()
            #expect(interim.status == 100)
            #expect(interim.body.isEmpty)
            try await client.send("hello there")
            let final = try await client.readResponse()
            #expect(final.status == 200)
            #expect(final.bodyString == echoText("POST", "/echo", body: "hello there"))
            #expect(!final.closes)
            // And with a chunked body.
            try await client.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
            #expect(try await client.readResponse().status == 100)
            try await client.send("3\r\nabc\r\n0\r\n\r\n")
            #expect(try await client.readResponse().bodyString == echoText("POST", "/echo", body: "abc"))
        }
    }

    @Test func expectContinueOverTheLimitGets413AndClose() async throws {
        let config = testConfiguration { $0.maxBodyBytes = 1000 }
        try await withTestServer(echoHandler, configuration: config) { server in
            let client = try server.connect()
            try await client.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 413, "no 100 Continue before the rejection")
            expectEnvelope(response, status: 413, code: "body_too_large")
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
        }
    }

    // MARK: strict parsing over the wire

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        let request: String
        let status: Int
        let code: String
        var testDescription: String { name }
    }

    static let rejections: [Rejection] = [
        Rejection(name: "CL+TE", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                  status: 400, code: "content_length_with_transfer_encoding"),
        Rejection(name: "double CL", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
                  status: 400, code: "duplicate_content_length"),
        Rejection(name: "bad CL", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1a\r\n\r\n",
                  status: 400, code: "invalid_content_length"),
        Rejection(name: "negative CL", request: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
                  status: 400, code: "invalid_content_length"),
        Rejection(name: "obs-fold", request: "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n",
                  status: 400, code: "obsolete_line_folding"),
        Rejection(name: "bare CR", request: "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n",
                  status: 400, code: "bare_cr"),
        Rejection(name: "bare LF", request: "GET / HTTP/1.1\nHost: a\n\n",
                  status: 400, code: "bare_lf"),
        Rejection(name: "bad header name", request: "GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
                  status: 400, code: "invalid_header_name"),
        Rejection(name: "space before colon", request: "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
                  status: 400, code: "invalid_header_name"),
        Rejection(name: "control char in value", request: "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{01}b\r\n\r\n",
                  status: 400, code: "invalid_header_value"),
        Rejection(name: "missing Host", request: "GET / HTTP/1.1\r\nX-A: b\r\n\r\n",
                  status: 400, code: "missing_host"),
        Rejection(name: "double Host", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
                  status: 400, code: "duplicate_host"),
        Rejection(name: "unknown coding", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
                  status: 501, code: "unsupported_transfer_coding"),
        Rejection(name: "chunked twice", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                  status: 400, code: "invalid_transfer_encoding"),
        Rejection(name: "TE on HTTP/1.0", request: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                  status: 400, code: "transfer_encoding_in_http10"),
        Rejection(name: "HTTP/2.0", request: "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
                  status: 505, code: "unsupported_version"),
        Rejection(name: "lowercase version", request: "GET / http/1.1\r\nHost: a\r\n\r\n",
                  status: 400, code: "invalid_version"),
        Rejection(name: "unknown expectation", request: "GET / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n",
                  status: 417, code: "unsupported_expectation"),
        Rejection(name: "CONNECT origin-form", request: "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n",
                  status: 400, code: "invalid_target"),
        Rejection(name: "bad chunk", request: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                  status: 400, code: "invalid_chunk"),
    ]

    @Test(arguments: rejections)
    func rejectedWithEnvelopeAndClose(_ rejection: Rejection) async throws {
        let handled = Locked(0)
        let handler = ClosureHandler { _ in
            handled.update { $0 += 1 }
            return .response(.text("should not be reached"))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(rejection.request)
            let response = try await client.readResponse()
            expectEnvelope(response, status: rejection.status, code: rejection.code)
            #expect(response.closes, "Connection: close")
            #expect(response.header("X-Request-Id")?.hasPrefix("req_") == true)
            #expect(await client.waitForClose().isCleanClose, "connection closed after the error")
            #expect(handled.value == 0)
        }
    }

    @Test func rejectionAfterAGoodRequestOnTheSameConnection() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            // A good request, then a smuggling attempt pipelined behind it.
            try await client.send(get("/echo?ok=1")
                + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + get("/echo?smuggled=1"))
            let good = try await client.readResponse()
            #expect(good.bodyString == echoText("GET", "/echo", query: "ok=1"))
            let bad = try await client.readResponse()
            expectEnvelope(bad, status: 400, code: "content_length_with_transfer_encoding")
            #expect(bad.closes)
            // The request after the bad one must never be answered.
            #expect(await client.waitForClose().isCleanClose)
        }
    }

    // MARK: HEAD

    @Test func headHasTheHeadersOfGetAndNoBody() async throws {
        var router = Router()
        router.get("/doc", .inline { _ in
            var response = Response.text(String(repeating: "document ", count: 50))
            response.headers.add("ETag", "\"v1\"")
            return response
        })
        try await withTestServer(router, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/doc"))
            let getResponse = try await client.readResponse()
            #expect(getResponse.status == 200)
            #expect(getResponse.body.count == 450)

            try await client.send("HEAD /doc HTTP/1.1\r\nHost: a\r\n\r\n")
            let headResponse = try await client.readResponse(head: true)
            #expect(headResponse.status == 200)
            #expect(headResponse.header("Content-Length") == "450")
            func comparable(_ r: RawResponse) -> [String] {
                r.headers.filter { !["date", "x-request-id"].contains($0.name.lowercased()) }
                    .map { "\($0.name.lowercased()): \($0.value)" }.sorted()
            }
            #expect(comparable(headResponse) == comparable(getResponse))
            // No body bytes followed: the next response parses cleanly on the same connection.
            try await client.send(get("/doc"))
            let again = try await client.readResponse()
            #expect(again.status == 200)
            #expect(again.body == getResponse.body)
        }
    }

    // MARK: targets

    @Test func absoluteFormAndConnectReachTheHandler() async throws {
        let seen = Locked<[RequestTarget]>([])
        let handler = ClosureHandler { request in
            seen.update { $0.append(request.target) }
            return .response(.text("\(request.method) ok"))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send("GET http://upstream.test:8080/v1/models?limit=2 HTTP/1.1\r\nHost: upstream.test:8080\r\n\r\n")
            #expect(try await client.readResponse().status == 200)
            try await client.send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try await client.readResponse().status == 200)
            try await client.send("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n")
            let connect = try await client.readResponse()
            #expect(connect.status == 200)
            #expect(connect.bodyString == "CONNECT ok")
            #expect(seen.value == [
                .absolute(scheme: "http", authority: "upstream.test:8080", path: "/v1/models", query: "limit=2"),
                .asterisk,
                .authority("api.example.com:443"),
            ])
        }
    }

    // MARK: request ids

    @Test func requestIDIsEchoedOrGenerated() async throws {
        let handler = ClosureHandler { request in .response(.text(request.requestID)) }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/", "X-Request-Id: client-id_42.a:b\r\n"))
            let echoed = try await client.readResponse()
            #expect(echoed.header("X-Request-Id") == "client-id_42.a:b")
            #expect(echoed.bodyString == "client-id_42.a:b")
            #expect(echoed.headerValues("X-Request-Id").count == 1)

            var generated: [String] = []
            for extra in ["", "X-Request-Id: has space\r\n", "X-Request-Id: \(String(repeating: "a", count: 200))\r\n",
                          "X-Request-Id: <script>\r\n", "X-Request-Id:\r\n"] {
                try await client.send(get("/", extra))
                let response = try await client.readResponse()
                let id = try #require(response.header("X-Request-Id"), "for \(extra)")
                #expect(id.hasPrefix("req_"), "for \(extra)")
                #expect(id.count > 8, "for \(extra)")
                #expect(response.bodyString == id, "the handler sees the same id")
                generated.append(id)
            }
            #expect(Set(generated).count == generated.count, "generated ids are unique")
        }
    }

    @Test func handlerHeadersCannotBreakFraming() async throws {
        let handler = ClosureHandler { _ in
            .response(Response(status: .ok, headers: ["Content-Length": "999", "Transfer-Encoding": "chunked",
                                                      "Connection": "close", "X-Inject": "a\r\nSet-Cookie: evil=1"],
                               bytes: Array("real".utf8)))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/"))
            let response = try await client.readResponse()
            #expect(response.bodyString == "real")
            #expect(response.headerValues("Content-Length") == ["4"])
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.header("Set-Cookie") == nil)
            try await client.send(get("/"))
            #expect(try await client.readResponse().bodyString == "real")
        }
    }
}
