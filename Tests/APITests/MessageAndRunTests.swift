import Foundation
import Testing
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct MessageTests {
    @Test func postingAMessageStoresItAndQueuesARun() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.client)
            let plain = try await f.post("/v1/sessions/\(session)/messages", as: f.client,
                                         json: #"{"content":"What is 2+2?","author":"ann","extra":[1,2,3]}"#)
            #expect(plain.status == 201, "\(plain)")
            let m = plain.json
            #expect(m["object"]?.string == "message")
            #expect(IDGenerator.isValid(plain.id, kind: .message))
            #expect(m["session_id"]?.string == session)
            #expect(m["role"]?.string == "user")
            #expect(m["source"]?.string == "api")
            #expect(m["author"]?.string == "ann")
            #expect(m["content"] == .array([.object(["type": .string("text"), "text": .string("What is 2+2?")])]))
            #expect(m["extra"] == nil, "unknown fields are ignored, not echoed")
            let run = m["run"]
            #expect(run?["object"]?.string == "run")
            #expect(run?["status"]?.string == "queued")
            #expect(run?["session_id"]?.string == session)
            let runID = run?["id"]?.string ?? ""
            #expect(IDGenerator.isValid(runID, kind: .run))
            #expect(m["run_id"]?.string == runID, "the message names the run it queued")

            let blocks = try await f.post("/v1/sessions/\(session)/messages", as: f.client, json: """
                {"content":[{"type":"text","text":"first "},{"type":"text","text":"second"}],"role":"user"}
                """)
            #expect(blocks.status == 201, "\(blocks)")
            #expect(blocks.json["content"]?.array?.count == 2)
            #expect(blocks.json["content"]?[1]?["text"]?.string == "second")
            let runID2 = blocks.json["run"]?["id"]?.string ?? ""

            // Both messages and both runs are listed (newest first by default).
            let messages = try await f.get("/v1/sessions/\(session)/messages", as: f.client)
            #expect(messages.ids == [blocks.id, plain.id])
            let listed = messages.json["data"]?[1]
            #expect(listed?["run_id"]?.string == runID)
            #expect(listed?["content"] == m["content"])
            #expect(listed?["run"] == nil, "the list shows messages, not the creation envelope")
            let runs = try await f.get("/v1/sessions/\(session)/runs", as: f.client)
            #expect(runs.ids == [runID2, runID])
            let asc = try await f.get("/v1/sessions/\(session)/messages?order=asc&limit=1", as: f.client)
            #expect(asc.ids == [plain.id])
            #expect(asc.json["has_more"]?.bool == true)

            // Events stored with the change: message.created then run.created per message.
            let events = try await f.storedEvents(session)
            #expect(events.map(\.type) == ["message.created", "run.created", "message.created", "run.created"])
            #expect(events.map(\.sessionSeq) == [1, 2, 3, 4])
            #expect(JSONValue.decode(events[0].data)["id"]?.string == plain.id)
            #expect(JSONValue.decode(events[1].data)["id"]?.string == runID)

            let ghost = try await f.post("/v1/sessions/ses_01NOSUCHSESSION000000000000/messages", as: f.admin,
                                         json: #"{"content":"hi"}"#)
            #expect(ghost.status == 404)
            #expect(ghost.errorType == "not_found")
        }
    }

    /// A message and its run are written in one transaction: when the transaction fails after
    /// `postMessage`, neither exists and no event is stored or published.
    @Test func messageAndRunAreOneTransaction() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.admin)
            let subscription = f.core.bus.subscribe(session: session)
            defer { subscription.close() }
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await f.core.write { tx in
                    _ = try tx.postMessage(IncomingMessage(content: [ContentBlock(text: "doomed")]), to: session)
                    throw Abort()
                }
            }
            #expect(try await f.count("messages") == 0)
            #expect(try await f.count("runs") == 0)
            #expect(try await f.count("events") == 0)
            let listed = try await f.get("/v1/sessions/\(session)/messages", as: f.admin)
            #expect(listed.ids.isEmpty)

            // The next message is the session's first event; nothing from the aborted one was published.
            let (message, run) = try await f.postMessage(session, "kept", as: f.admin)
            let delivery = try await withDeadline(5, "bus delivery") { await subscription.next() }
            guard case .events(let events)? = delivery else {
                Issue.record("expected events, got \(String(describing: delivery))"); return
            }
            #expect(events.map(\.sessionSeq) == [1, 2])
            #expect(events.map(\.type) == ["message.created", "run.created"])
            #expect(JSONValue.decode(events[0].data)["id"]?.string == message)
            #expect(JSONValue.decode(events[1].data)["id"]?.string == run)
            #expect(try await f.count("messages") == 1)
            #expect(try await f.count("runs") == 1)
        }
    }

    @Test func invalidMessageBodiesAre400WithParam() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            let path = "/v1/sessions/\(session)/messages"
            let cases: [(String, String, String?)] = [
                ("number content", #"{"content":5}"#, "content"),
                ("object content", #"{"content":{"text":"x"}}"#, "content"),
                ("null content", #"{"content":null}"#, "content"),
                ("image block", #"{"content":[{"type":"image","text":"x"}]}"#, "content[0].type"),
                ("second block is an image", #"{"content":[{"type":"text","text":"a"},{"type":"image","text":"b"}]}"#,
                 "content[1].type"),
                ("missing content", #"{}"#, "content"),
                ("missing content, other fields", #"{"author":"ann"}"#, "content"),
                ("empty string", #"{"content":""}"#, "content"),
                ("no blocks", #"{"content":[]}"#, "content"),
                ("assistant role", #"{"content":"x","role":"assistant"}"#, "role"),
                ("author too long", #"{"content":"x","author":"\#(String(repeating: "a", count: 257))"}"#, "author"),
                ("author not a string", #"{"content":"x","author":12}"#, "author"),
                ("content too long", #"{"content":"\#(String(repeating: "x", count: 256 * 1024 + 1))"}"#, "content"),
                ("not JSON", #"{"content": "x""#, nil),
                ("JSON array", #"["content"]"#, nil),
            ]
            for (name, body, param) in cases {
                let reply = try await f.post(path, as: f.operatorKey, json: body)
                #expect(reply.status == 400, "\(name): \(reply)")
                #expect(reply.errorType == "invalid_request", "\(name)")
                #expect(reply.errorParam == param, "\(name): \(reply)")
                #expect(reply.json["error"]?["message"]?.string?.isEmpty == false)
            }
            #expect(try await f.count("messages") == 0, "bad input changes nothing")
            #expect(try await f.count("runs") == 0)
            #expect(try await f.count("events") == 0)
        }
    }

    /// A content block that is not a text block is refused naming the block's field, whatever
    /// other fields it has: a real image block has `source`, not `text`.
    @Test func blockErrorsNameTheBlockField() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            let cases: [(String, String, String)] = [
                ("image block with a source (no text)",
                 #"{"content":[{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}"#,
                 "content[0].type"),
                ("second block is an image without text",
                 #"{"content":[{"type":"text","text":"look:"},{"type":"image","source":{"type":"base64","data":"AA=="}}]}"#,
                 "content[1].type"),
                ("text block without text", #"{"content":[{"type":"text"}]}"#, "content[0].text"),
            ]
            for (name, body, param) in cases {
                let reply = try await f.post("/v1/sessions/\(session)/messages", as: f.operatorKey, json: body)
                #expect(reply.status == 400, "\(name): \(reply)")
                #expect(reply.errorParam == param, "\(name): \(reply)")
            }
            #expect(try await f.count("messages") == 0)
        }
    }

    @Test func bodyLimitsAndMediaType() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            let path = "/v1/sessions/\(session)/messages"

            // Nesting: 33 levels is refused, 32 accepted; brackets inside strings do not count.
            func nested(_ depth: Int) -> String {
                // The top-level object is level 1.
                #"{"content":"x","extra":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
            }
            let deep = try await f.post(path, as: f.operatorKey, json: nested(33))
            #expect(deep.status == 400, "\(deep)")
            #expect(deep.errorCode == "too_deep")
            let deepest = try await f.post(path, as: f.operatorKey, json: nested(32))
            #expect(deepest.status == 201, "32 levels are allowed: \(deepest)")
            let inString = try await f.post(path, as: f.operatorKey,
                                            json: #"{"content":"\#(String(repeating: "[", count: 100))"}"#)
            #expect(inString.status == 201, "brackets in strings are not nesting: \(inString)")
            let escaped = try await f.post(path, as: f.operatorKey,
                                           json: #"{"content":"quote \" then \#(String(repeating: "{", count: 40))"}"#)
            #expect(escaped.status == 201, "an escaped quote does not end the string: \(escaped)")
            let messagesSoFar = try await f.count("messages")

            // Over 1 MiB → 413, even when the text itself would be refused for length.
            let huge = #"{"content":"x","pad":""# + String(repeating: "p", count: 1 << 20) + #""}"#
            let tooLarge = try await f.post(path, as: f.operatorKey, json: huge)
            #expect(tooLarge.status == 413, "\(tooLarge)")
            #expect(tooLarge.errorType == "invalid_request")
            #expect(tooLarge.json["request_id"]?.string?.hasPrefix("req_") == true)

            // Wrong Content-Type → 415.
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
                let wrong = try await f.post(path, as: f.operatorKey, json: #"{"content":"x"}"#, headers: [("Content-Type", type)])
                #expect(wrong.status == 415, "\(type): \(wrong)")
                #expect(wrong.json["error"] != nil)
            }
            let withCharset = try await f.post(path, as: f.operatorKey, json: #"{"content":"x"}"#,
                                               headers: [("Content-Type", "application/json; charset=utf-8")])
            #expect(withCharset.status == 201, "a charset parameter is fine: \(withCharset)")

            // An empty body where one is required → 400.
            let empty = try await f.send("POST", path, as: f.operatorKey)
            #expect(empty.status == 400, "\(empty)")
            #expect(empty.errorType == "invalid_request")
            #expect(try await f.count("messages") == messagesSoFar + 1, "only the charset request was stored")
        }
    }
}

@Suite struct RunTests {
    @Test func getListAndCancel() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            let (_, run1) = try await f.postMessage(session, "one", as: f.operatorKey)
            let (_, run2) = try await f.postMessage(session, "two", as: f.operatorKey)

            let got = try await f.get("/v1/runs/\(run1)", as: f.operatorKey)
            #expect(got.status == 200)
            #expect(got.json["object"]?.string == "run")
            #expect(got.json["status"]?.string == "queued")
            #expect(got.json["session_id"]?.string == session)
            for field in ["stop_reason", "error", "usage", "started_at", "completed_at"] {
                #expect(got.json[field]?.isNull == true, "\(field) is null on a queued run")
            }
            let list = try await f.get("/v1/sessions/\(session)/runs?order=asc", as: f.operatorKey)
            #expect(list.ids == [run1, run2])

            let eventsBefore = try await f.storedEvents(session).count
            let cancelled = try await f.post("/v1/runs/\(run1)/cancel", as: f.operatorKey)
            #expect(cancelled.status == 200, "\(cancelled)")
            #expect(cancelled.json["status"]?.string == "cancelled")
            #expect(cancelled.json["stop_reason"]?.string == "cancelled")
            #expect(cancelled.json["completed_at"]?.string != nil)
            let after = try await f.get("/v1/runs/\(run1)", as: f.operatorKey)
            #expect(after.json == cancelled.json)
            let other = try await f.get("/v1/runs/\(run2)", as: f.operatorKey)
            #expect(other.json["status"]?.string == "queued", "only that run was cancelled")

            let events = try await f.storedEvents(session)
            #expect(events.count == eventsBefore + 1)
            let statusEvent = events.last
            #expect(statusEvent?.type == "run.status")
            #expect(statusEvent?.sessionSeq == Int64(eventsBefore + 1))
            #expect(JSONValue.decode(statusEvent?.data ?? "")["status"]?.string == "cancelled")
            #expect(JSONValue.decode(statusEvent?.data ?? "")["id"]?.string == run1)

            let again = try await f.post("/v1/runs/\(run1)/cancel", as: f.operatorKey)
            #expect(again.status == 409, "\(again)")
            #expect(again.errorType == "conflict")
            #expect(again.errorCode == "run_finished")
            #expect(try await f.storedEvents(session).count == eventsBefore + 1, "a refused cancel emits nothing")

            let ghost = try await f.get("/v1/runs/run_01NOSUCHRUN00000000000000", as: f.operatorKey)
            #expect(ghost.status == 404)
            let ghostCancel = try await f.post("/v1/runs/run_01NOSUCHRUN00000000000000/cancel", as: f.operatorKey)
            #expect(ghostCancel.status == 404)
        }
    }

    @Test func cancelIsReplayedWithTheSameIdempotencyKey() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.client)
            let (_, run) = try await f.postMessage(session, as: f.client)
            let first = try await f.post("/v1/runs/\(run)/cancel", as: f.client, headers: [("Idempotency-Key", "cancel-1")])
            #expect(first.status == 200)
            let replay = try await f.post("/v1/runs/\(run)/cancel", as: f.client, headers: [("Idempotency-Key", "cancel-1")])
            #expect(replay.status == 200, "a retry of a cancel that succeeded gets the success back: \(replay)")
            #expect(replay.body == first.body)
            #expect(replay.headers["Idempotent-Replayed"] == "true")
            let fresh = try await f.post("/v1/runs/\(run)/cancel", as: f.client, headers: [("Idempotency-Key", "cancel-2")])
            #expect(fresh.status == 409)
        }
    }
}
