import Foundation
import Testing
@testable import API
@testable import Core

/// Edge cases schemathesis and review found: lengths in code points, exact media types,
/// integers above 2^53, and a key revoking itself.
@Suite struct EdgeCaseTests {
    @Test func lengthLimitsCountUnicodeScalarsLikeJSONSchema() async throws {
        try await withFixture { f in
            // 255 letters + "e" + a combining accent: 257 code points, 256 characters.
            let title = String(repeating: "a", count: 255) + "e\u{0301}"
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["title": title]), as: UTF8.self)
            let reply = try await f.post("/v1/sessions", as: f.admin, json: body)
            #expect(reply.status == 400, "\(reply)")
            #expect(reply.errorParam == "title")
        }
    }

    @Test func contentTypeMustBeJSONExactly() async throws {
        try await withFixture { f in
            for (type, status) in [("application/jsonx", 415), ("text/plain", 415),
                                   ("application/json; charset=utf-8", 201), ("Application/JSON", 201)] {
                let reply = try await f.send("POST", "/v1/sessions", as: f.admin, body: Array("{}".utf8),
                                             headers: [("Content-Type", type)])
                #expect(reply.status == status, "\(type): \(reply)")
            }
        }
    }

    @Test func largeIntegersInMetadataKeepTheirValue() async throws {
        try await withFixture { f in
            let created = try await f.post("/v1/sessions", as: f.admin,
                                           json: #"{"metadata":{"big":9007199254740993,"neg":-42,"half":0.5}}"#)
            #expect(created.status == 201, "\(created)")
            #expect(created.text.contains("\"big\":9007199254740993"), "\(created)")
            #expect(created.text.contains("\"neg\":-42"))
            #expect(created.text.contains("\"half\":0.5"))
            let read = try await f.get("/v1/sessions/\(created.id)", as: f.admin)
            #expect(read.text.contains("\"big\":9007199254740993"), "\(read)")
        }
    }

    @Test func aKeyCannotRevokeItself() async throws {
        try await withFixture { f in
            let reply = try await f.send("DELETE", "/v1/keys/\(f.admin.id)", as: f.admin)
            #expect(reply.status == 409, "\(reply)")
            #expect(reply.errorCode == "cannot_revoke_own_key")
            #expect(try await f.get("/v1/keys", as: f.admin).status == 200, "the key still works")
        }
    }
}
