import Foundation
import Testing
@testable import HTTP

/// Runs the router on `request` the way the server would, awaiting `.async` handlers.
func route(_ router: Router, _ method: String, _ target: String, body: String = "") async -> Response {
    let form: RequestTarget
    if let q = target.firstIndex(of: "?") {
        form = .origin(path: String(target[..<q]), query: String(target[target.index(after: q)...]))
    } else {
        form = .origin(path: target, query: nil)
    }
    let request = Request(method: method, target: form, body: Array(body.utf8), requestID: "req_test")
    switch router.handle(request) {
    case .response(let response): return response
    case .async(let work): return await work()
    }
}

extension Response {
    var bodyBytes: [UInt8] {
        if case .bytes(let b) = body { return b }
        return []
    }
    var bodyText: String { String(decoding: bodyBytes, as: UTF8.self) }
    var envelope: [String: Any]? {
        ((try? JSONSerialization.jsonObject(with: Data(bodyBytes))) as? [String: Any])?["error"] as? [String: Any]
    }
}

struct SecretFailure: Error, CustomStringConvertible {
    var description: String { "database password is hunter2" }
}

@Suite("Router")
struct RouterTests {
    static func makeRouter() -> Router {
        var router = Router()
        router.get("/items", .inline { _ in .text("list") })
        router.post("/items", .async { request in .text("created \(request.bodyString)", status: .created) })
        router.get("/items/{id}", .inline { request in .text("item \(request.parameters["id"] ?? "?")") })
        router.delete("/items/{id}", .inline { request in .text("deleted \(request.parameters["id"] ?? "?")") })
        router.get("/items/special", .inline { _ in .text("literal wins") })
        router.get("/items/{id}/parts/{part}", .async { request in
            .text("\(request.parameters["id"] ?? "?")/\(request.parameters["part"] ?? "?")")
        })
        router.get("/teapot", .inline { _ in
            throw HTTPError(.conflict, code: "already_brewing", message: "The pot is busy.", param: "pot",
                            headers: ["Retry-After": "3"])
        })
        router.get("/async-teapot", .async { _ in
            throw HTTPError(.unprocessable, code: "bad_leaves", message: "Those are not tea leaves.")
        })
        router.get("/crash", .inline { _ in throw SecretFailure() })
        router.get("/async-crash", .async { _ in throw SecretFailure() })
        router.get("/query", .inline { request in .text(request.queryParameters["q"] ?? "-") })
        return router
    }

    @Test func routesByMethodAndPath() async {
        let router = Self.makeRouter()
        #expect(await route(router, "GET", "/items").bodyText == "list")
        let created = await route(router, "POST", "/items", body: "x")
        #expect(created.status == .created)
        #expect(created.bodyText == "created x")
        #expect(await route(router, "DELETE", "/items/9").bodyText == "deleted 9")
        #expect(await route(router, "GET", "/items/7/parts/wheel").bodyText == "7/wheel")
    }

    @Test func literalSegmentsBeatParameters() async {
        let router = Self.makeRouter()
        #expect(await route(router, "GET", "/items/special").bodyText == "literal wins")
        #expect(await route(router, "GET", "/items/other").bodyText == "item other")
    }

    @Test func parametersArePercentDecoded() async {
        let router = Self.makeRouter()
        #expect(await route(router, "GET", "/items/a%20b").bodyText == "item a b")
        #expect(await route(router, "GET", "/items/caf%C3%A9").bodyText == "item café")
        #expect(await route(router, "GET", "/items/a%2Fb").bodyText == "item a/b")
        #expect(await route(router, "GET", "/items/x%2Fy/parts/p%3Fq").bodyText == "x/y/p?q")
        // Malformed escapes do not match a parameter.
        #expect(await route(router, "GET", "/items/%zz").status == .notFound)
        #expect(await route(router, "GET", "/items/%C3").status == .notFound)
    }

    @Test func queryParametersAreDecoded() async {
        let router = Self.makeRouter()
        #expect(await route(router, "GET", "/query?q=a+b%21&q2=x").bodyText == "a b!")
    }

    @Test func unknownPathIs404WithEnvelope() async throws {
        let router = Self.makeRouter()
        for path in ["/nope", "/items/1/2", "/items/", "/", "/items/1/parts"] {
            let response = await route(router, "GET", path)
            #expect(response.status == .notFound, "\(path)")
            let error = try #require(response.envelope, "\(path)")
            #expect(error["type"] as? String == "not_found")
            #expect(error["code"] as? String == "not_found")
            #expect(response.headers["Content-Type"] == "application/json")
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        let router = Self.makeRouter()
        let response = await route(router, "PUT", "/items/3")
        #expect(response.status == .methodNotAllowed)
        let allow = try #require(response.headers["Allow"])
        #expect(Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) == ["DELETE", "GET", "HEAD"])
        let error = try #require(response.envelope)
        #expect(error["code"] as? String == "method_not_allowed")
        let onList = await route(router, "DELETE", "/items")
        #expect(onList.status == .methodNotAllowed)
        #expect(Set((onList.headers["Allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                == ["GET", "HEAD", "POST"])
    }

    @Test func headIsServedByGet() async {
        let router = Self.makeRouter()
        let response = await route(router, "HEAD", "/items/5")
        #expect(response.status == .ok)
        #expect(response.bodyText == "item 5")  // the server drops the body on the wire
    }

    @Test func thrownHTTPErrorRendersTheEnvelope() async throws {
        let router = Self.makeRouter()
        let response = await route(router, "GET", "/teapot")
        #expect(response.status == .conflict)
        #expect(response.headers["Retry-After"] == "3")
        let json = try #require((try? JSONSerialization.jsonObject(with: Data(response.bodyBytes))) as? [String: Any])
        #expect(json["request_id"] as? String == "req_test")
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["type"] as? String == "conflict")
        #expect(error["code"] as? String == "already_brewing")
        #expect(error["message"] as? String == "The pot is busy.")
        #expect(error["param"] as? String == "pot")

        let asyncResponse = await route(router, "GET", "/async-teapot")
        #expect(asyncResponse.status == .unprocessable)
        #expect(asyncResponse.envelope?["code"] as? String == "bad_leaves")
        #expect(asyncResponse.envelope?["type"] as? String == "invalid_request")
    }

    @Test func otherErrorsAre500WithoutDetails() async throws {
        let router = Self.makeRouter()
        for path in ["/crash", "/async-crash"] {
            let response = await route(router, "GET", path)
            #expect(response.status == .internalServerError, "\(path)")
            let error = try #require(response.envelope, "\(path)")
            #expect(error["type"] as? String == "internal")
            #expect(!response.bodyText.contains("hunter2"), "\(path) leaks the error text")
            #expect(!response.bodyText.contains("SecretFailure"), "\(path) leaks the error type")
        }
    }

    @Test func nonOriginTargetsAreNotRouted() {
        let router = Self.makeRouter()
        guard case .response(let response) = router.handle(Request(method: "CONNECT", target: .authority("h:443"))) else {
            Issue.record("expected an inline answer")
            return
        }
        #expect(response.status.code >= 400)
        #expect(response.envelope != nil)
    }

    @Test func pathsSplitIntoSegmentsAfterEachSlash() {
        #expect(Router.segments("/") == [""])
        #expect(Router.segments("/items") == ["items"])
        #expect(Router.segments("/items/") == ["items", ""])
        #expect(Router.segments("/a//b") == ["a", "", "b"])
        #expect(Router.segments("/caf\u{E9}/\u{1F600}x") == ["caf\u{E9}", "\u{1F600}x"])
        #expect(Router.segments("") == [])
    }

    @Test func routesAreListed() {
        let router = Self.makeRouter()
        #expect(router.routes.contains(Router.Route(method: "GET", template: "/items/{id}")))
        #expect(router.routes.count == 11)
    }

    // MARK: over the wire

    @Test func routerOverTheWire() async throws {
        try await withTestServer(Self.makeRouter(), configuration: testConfiguration()) { server in
            let client = try server.connect()

            try await client.send(get("/items/a%20b"))
            let item = try await client.readResponse()
            #expect(item.status == 200)
            #expect(item.bodyString == "item a b")

            try await client.send(get("/missing"))
            let missing = try await client.readResponse()
            expectEnvelope(missing, status: 404, code: "not_found")
            #expect(!missing.closes, "a 404 keeps the connection")

            try await client.send("PATCH /items/1 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
            let wrongMethod = try await client.readResponse()
            expectEnvelope(wrongMethod, status: 405, code: "method_not_allowed")
            #expect(wrongMethod.header("Allow") != nil)

            try await client.send("HEAD /items/1 HTTP/1.1\r\nHost: a\r\n\r\n")
            let head = try await client.readResponse(head: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "\("item 1".utf8.count)")
            #expect(head.body.isEmpty)

            try await client.send(get("/teapot", "X-Request-Id: trace-1\r\n"))
            let teapot = try await client.readResponse()
            expectEnvelope(teapot, status: 409, code: "already_brewing")
            #expect(teapot.json?["request_id"] as? String == "trace-1")
            #expect(teapot.header("Retry-After") == "3")

            try await client.send(get("/async-crash"))
            let crash = try await client.readResponse()
            expectEnvelope(crash, status: 500)
            #expect((crash.json?["error"] as? [String: Any])?["type"] as? String == "internal")
            #expect(!crash.bodyString.contains("hunter2"))

            try await client.send(post("/items", "thing"))
            let created = try await client.readResponse()
            #expect(created.status == 201)
            #expect(created.bodyString == "created thing")
        }
    }
}
