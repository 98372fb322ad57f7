import Foundation
import Synchronization
import Testing
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct IdempotencyTests {
    @Test func replayReturnsTheStoredResponseByteForByte() async throws {
        try await withFixture { f in
            let body = #"{"title":"once","metadata":{"n":1}}"#
            let first = try await f.post("/v1/sessions", as: f.operatorKey, json: body, headers: [("Idempotency-Key", "create-1")])
            #expect(first.status == 201)
            #expect(first.headers["Idempotent-Replayed"] == nil)
            let second = try await f.post("/v1/sessions", as: f.operatorKey, json: body, headers: [("Idempotency-Key", "create-1")])
            #expect(second.status == 201)
            #expect(second.body == first.body, "byte-identical replay")
            #expect(second.headers["Idempotent-Replayed"] == "true")
            #expect(second.headers["X-Request-Id"] != first.headers["X-Request-Id"])
            let list = try await f.get("/v1/sessions", as: f.operatorKey)
            #expect(list.ids == [first.id], "one resource")

            // Without a key, the same POST makes a second resource.
            let plain = try await f.post("/v1/sessions", as: f.operatorKey, json: body)
            #expect(plain.id != first.id)
            #expect(try await f.count("sessions") == 2)
        }
    }

    @Test func messagesAreIdempotentToo() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.client)
            let path = "/v1/sessions/\(session)/messages"
            let first = try await f.post(path, as: f.client, json: #"{"content":"pay the invoice"}"#,
                                         headers: [("Idempotency-Key", "msg-1")])
            #expect(first.status == 201)
            let replay = try await f.post(path, as: f.client, json: #"{"content":"pay the invoice"}"#,
                                          headers: [("Idempotency-Key", "msg-1")])
            #expect(replay.status == 201)
            #expect(replay.body == first.body)
            #expect(replay.headers["Idempotent-Replayed"] == "true")
            #expect(try await f.count("messages") == 1)
            #expect(try await f.count("runs") == 1)
            #expect(try await f.storedEvents(session).count == 2, "a replay emits no events")
        }
    }

    @Test func sameKeyDifferentRequestIsAConflict() async throws {
        try await withFixture { f in
            let first = try await f.post("/v1/sessions", as: f.admin, json: #"{"title":"a"}"#, headers: [("Idempotency-Key", "k")])
            #expect(first.status == 201)
            let other = try await f.post("/v1/sessions", as: f.admin, json: #"{"title":"b"}"#, headers: [("Idempotency-Key", "k")])
            #expect(other.status == 409, "\(other)")
            #expect(other.errorType == "conflict")
            #expect(other.errorCode == "idempotency_key_reused")
            // Another route with the same key is a different request too.
            let sameRoute = try await f.post("/v1/sessions/\(first.id)/messages", as: f.admin, json: #"{"content":"x"}"#,
                                             headers: [("Idempotency-Key", "k")])
            #expect(sameRoute.status == 409, "\(sameRoute)")
            #expect(sameRoute.errorCode == "idempotency_key_reused")
            #expect(try await f.count("sessions") == 1)
            #expect(try await f.count("messages") == 0)
            // The original is still replayed.
            let replay = try await f.post("/v1/sessions", as: f.admin, json: #"{"title":"a"}"#, headers: [("Idempotency-Key", "k")])
            #expect(replay.body == first.body)
        }
    }

    @Test func keysArePerAPIKey() async throws {
        try await withFixture { f in
            let body = #"{"title":"shared key"}"#
            let a = try await f.post("/v1/sessions", as: f.client, json: body, headers: [("Idempotency-Key", "same")])
            let b = try await f.post("/v1/sessions", as: f.client2, json: body, headers: [("Idempotency-Key", "same")])
            #expect(a.status == 201)
            #expect(b.status == 201)
            #expect(b.headers["Idempotent-Replayed"] == nil)
            #expect(a.id != b.id, "another API key's Idempotency-Key is its own")
            let c = try await f.post("/v1/sessions", as: f.operatorKey, json: #"{"title":"different"}"#,
                                     headers: [("Idempotency-Key", "same")])
            #expect(c.status == 201, "no conflict across API keys: \(c)")
            #expect(try await f.count("sessions") == 3)
            // Each client still only sees its own.
            let listA = try await f.get("/v1/sessions", as: f.client)
            #expect(listA.ids == [a.id])
        }
    }

    @Test func concurrentIdenticalRequestsCreateExactlyOne() async throws {
        try await withFixture { f in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await f.post("/v1/sessions", as: f.operatorKey, json: #"{"title":"race"}"#,
                                         headers: [("Idempotency-Key", "race-1")])
                    }
                }
                var out: [Reply] = []
                for try await reply in group { out.append(reply) }
                return out
            }
            #expect(replies.count == 10)
            #expect(replies.allSatisfy { $0.status == 201 }, "\(replies.map(\.status))")
            #expect(Set(replies.map(\.body)).count == 1, "every caller got the same body")
            #expect(replies.filter { $0.headers["Idempotent-Replayed"] == nil }.count == 1, "one original, nine replays")
            #expect(try await f.count("sessions") == 1)
            #expect(try await f.count("audit", where: "kind = 'session.created'") == 1)

            // The same for messages: one message, one run.
            let session = replies[0].id
            let messageReplies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await f.post("/v1/sessions/\(session)/messages", as: f.operatorKey, json: #"{"content":"once"}"#,
                                         headers: [("Idempotency-Key", "race-2")])
                    }
                }
                var out: [Reply] = []
                for try await reply in group { out.append(reply) }
                return out
            }
            #expect(messageReplies.allSatisfy { $0.status == 201 })
            #expect(Set(messageReplies.map(\.body)).count == 1)
            #expect(try await f.count("messages") == 1)
            #expect(try await f.count("runs") == 1)
        }
    }

    @Test func invalidKeysAndFailedRequests() async throws {
        try await withFixture { f in
            for key in [String(repeating: "k", count: 256), "has space", "tab\there"] {
                let reply = try await f.post("/v1/sessions", as: f.admin, json: "{}", headers: [("Idempotency-Key", key)])
                #expect(reply.status == 400, "\(key.prefix(20)): \(reply)")
                #expect(reply.errorParam == "Idempotency-Key")
            }
            #expect(try await f.count("sessions") == 0)
            let longest = try await f.post("/v1/sessions", as: f.admin, json: "{}",
                                           headers: [("Idempotency-Key", String(repeating: "k", count: 255))])
            #expect(longest.status == 201)

            // A request that failed is not stored: once the cause is fixed, the same key works.
            let session = try await f.createSession(as: f.admin)
            _ = try await f.send("DELETE", "/v1/sessions/\(session)", as: f.admin)
            let failed = try await f.post("/v1/sessions/\(session)/messages", as: f.admin, json: #"{"content":"x"}"#,
                                          headers: [("Idempotency-Key", "after-failure")])
            #expect(failed.status == 409)
            let other = try await f.createSession(as: f.admin)
            let retried = try await f.post("/v1/sessions/\(other)/messages", as: f.admin, json: #"{"content":"x"}"#,
                                           headers: [("Idempotency-Key", "after-failure")])
            #expect(retried.status == 201, "a failed request does not claim its key: \(retried)")
        }
    }

    /// Replays survive a restart (the stored response is in the database, not in memory).
    @Test func replaySurvivesARestart() async throws {
        let f = try await APIFixture.make()
        let first = try await f.post("/v1/sessions", as: f.operatorKey, json: #"{"title":"durable"}"#,
                                     headers: [("Idempotency-Key", "durable-1")])
        let g = try await f.restarted()
        defer { g.remove() }
        let replay = try await g.post("/v1/sessions", as: g.operatorKey, json: #"{"title":"durable"}"#,
                                      headers: [("Idempotency-Key", "durable-1")])
        let count = try await g.count("sessions")
        await g.stop()
        #expect(first.status == 201)
        #expect(replay.body == first.body)
        #expect(replay.headers["Idempotent-Replayed"] == "true")
        #expect(count == 1)
    }
}
