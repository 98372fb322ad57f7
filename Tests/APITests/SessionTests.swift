import Foundation
import Testing
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct SessionTests {
    @Test func createWithAndWithoutBody() async throws {
        try await withFixture { f in
            // No body at all.
            let empty = try await f.send("POST", "/v1/sessions", as: f.operatorKey)
            #expect(empty.status == 201, "\(empty)")
            let s = empty.json
            #expect(s["object"]?.string == "session")
            #expect(IDGenerator.isValid(empty.id, kind: .session), "\(empty.id)")
            #expect(s["status"]?.string == "idle")
            #expect(s["title"]?.string == "")
            #expect(s["metadata"]?.object?.isEmpty == true)
            #expect(s["agent"]?.object?.isEmpty == true)
            #expect(s["channel"]?.isNull == true)
            for field in ["created_at", "updated_at"] {
                let value = s[field]?.string ?? ""
                #expect(value.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil,
                        "\(field) is RFC 3339 UTC: \(value)")
            }
            #expect(empty.headers["Content-Type"] == "application/json")

            // `{}` and a full body.
            let braces = try await f.post("/v1/sessions", as: f.operatorKey, json: "{}")
            #expect(braces.status == 201)
            let full = try await f.post("/v1/sessions", as: f.operatorKey, json: """
                {"title":"Quarterly report","metadata":{"team":"finance","priority":2,"tags":["a","b"]},
                 "agent":{"model":"claude","max_turns":5},"unknown_field":{"ignored":true}}
                """)
            #expect(full.status == 201, "\(full)")
            #expect(full.json["title"]?.string == "Quarterly report")
            #expect(full.json["metadata"]?["team"]?.string == "finance")
            #expect(full.json["metadata"]?["priority"]?.int == 2)
            #expect(full.json["metadata"]?["tags"]?.array?.count == 2)
            #expect(full.json["agent"]?["model"]?.string == "claude")
            #expect(full.json["unknown_field"] == nil)

            // GET returns the same resource.
            let got = try await f.get("/v1/sessions/\(full.id)", as: f.operatorKey)
            #expect(got.status == 200)
            #expect(got.json == full.json)

            let missing = try await f.get("/v1/sessions/ses_01NOSUCHSESSION000000000000", as: f.admin)
            #expect(missing.status == 404)
            #expect(missing.errorType == "not_found")
        }
    }

    @Test func invalidSessionBodiesAre400WithParamAndChangeNothing() async throws {
        try await withFixture { f in
            let long = String(repeating: "t", count: 257)
            let cases: [(String, String?)] = [
                (#"{"title":"\#(long)"}"#, "title"),
                (#"{"title":5}"#, "title"),
                (#"{"metadata":"not an object"}"#, "metadata"),
                (#"{"metadata":[1,2]}"#, "metadata"),
                (#"{"agent":7}"#, "agent"),
                ("{\"metadata\":{" + (0..<51).map { "\"k\($0)\":1" }.joined(separator: ",") + "}}", "metadata"),
                (#"{"title": "#, nil), // not JSON
                (#"[1,2]"#, nil),
            ]
            for (body, param) in cases {
                let reply = try await f.post("/v1/sessions", as: f.admin, json: body)
                #expect(reply.status == 400, "\(body.prefix(60)): \(reply)")
                #expect(reply.errorType == "invalid_request")
                #expect(reply.errorParam == param, "\(body.prefix(60)): \(reply)")
            }
            #expect(try await f.count("sessions") == 0)
            // 256 characters is still fine.
            let ok = try await f.post("/v1/sessions", as: f.admin, json: #"{"title":"\#(String(repeating: "t", count: 256))"}"#)
            #expect(ok.status == 201)
        }
    }

    @Test func paginationAcrossPagesInBothOrders() async throws {
        try await withFixture { f in
            var ids: [String] = []
            for i in 0..<7 { ids.append(try await f.createSession(as: f.operatorKey, json: #"{"title":"s\#(i)"}"#)) }
            #expect(ids == ids.sorted(), "ids are time-ordered")

            // Default: newest first, 20 per page.
            let all = try await f.get("/v1/sessions", as: f.admin)
            #expect(all.json["object"]?.string == "list")
            #expect(all.ids == ids.reversed())
            #expect(all.json["has_more"]?.bool == false)
            #expect(all.json["first_id"]?.string == ids.last)
            #expect(all.json["last_id"]?.string == ids.first)

            // Descending, 3 at a time, walking with `after`.
            var seen: [String] = []
            var after: String?
            var pages = 0
            repeat {
                let page = try await f.get("/v1/sessions?limit=3" + (after.map { "&after=\($0)" } ?? ""), as: f.admin)
                #expect(page.status == 200)
                let data = page.ids
                #expect(page.json["first_id"]?.string == data.first)
                #expect(page.json["last_id"]?.string == data.last)
                seen += data
                pages += 1
                let hasMore = page.json["has_more"]?.bool ?? false
                #expect(hasMore == (seen.count < ids.count), "has_more on page \(pages)")
                after = hasMore ? data.last : nil
            } while after != nil && pages < 10
            #expect(seen == ids.reversed())
            #expect(pages == 3)

            // Ascending.
            seen = []; after = nil; pages = 0
            repeat {
                let page = try await f.get("/v1/sessions?order=asc&limit=3" + (after.map { "&after=\($0)" } ?? ""), as: f.admin)
                seen += page.ids
                pages += 1
                after = page.json["has_more"]?.bool == true ? page.ids.last : nil
            } while after != nil && pages < 10
            #expect(seen == ids)
            #expect(pages == 3)

            // `before`: the items just ahead of an id, still in the listing's order.
            let beforeAsc = try await f.get("/v1/sessions?order=asc&limit=2&before=\(ids[3])", as: f.admin)
            #expect(beforeAsc.ids == [ids[1], ids[2]])
            #expect(beforeAsc.json["has_more"]?.bool == true)
            let beforeAscAll = try await f.get("/v1/sessions?order=asc&limit=3&before=\(ids[3])", as: f.admin)
            #expect(beforeAscAll.ids == [ids[0], ids[1], ids[2]])
            #expect(beforeAscAll.json["has_more"]?.bool == false)
            let beforeDesc = try await f.get("/v1/sessions?order=desc&limit=2&before=\(ids[3])", as: f.admin)
            #expect(beforeDesc.ids == [ids[5], ids[4]])
            #expect(beforeDesc.json["has_more"]?.bool == true)
            let beforeDescAll = try await f.get("/v1/sessions?limit=3&before=\(ids[3])", as: f.admin)
            #expect(beforeDescAll.ids == [ids[6], ids[5], ids[4]])
            #expect(beforeDescAll.json["has_more"]?.bool == false)

            // limit=1 and limit=100 are the bounds.
            let one = try await f.get("/v1/sessions?limit=1", as: f.admin)
            #expect(one.ids == [ids[6]])
            #expect(one.json["has_more"]?.bool == true)
            let hundred = try await f.get("/v1/sessions?limit=100", as: f.admin)
            #expect(hundred.ids.count == 7)

            // Past the end: an empty page with null ids.
            let end = try await f.get("/v1/sessions?order=asc&after=\(ids[6])", as: f.admin)
            #expect(end.ids.isEmpty)
            #expect(end.json["first_id"]?.isNull == true)
            #expect(end.json["last_id"]?.isNull == true)
            #expect(end.json["has_more"]?.bool == false)

            // Bad parameters.
            for (query, param) in [("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("limit=-1", "limit"),
                                   ("order=sideways", "order"), ("after=", "after"),
                                   ("after=\(ids[1])&before=\(ids[3])", "before")] {
                let bad = try await f.get("/v1/sessions?\(query)", as: f.admin)
                #expect(bad.status == 400, "\(query): \(bad)")
                #expect(bad.errorParam == param, "\(query): \(bad)")
            }
        }
    }

    @Test func patchChangesOnlyWhatIsSent() async throws {
        try await withFixture { f in
            let id = try await f.createSession(as: f.client, json: #"{"title":"first","metadata":{"a":1},"agent":{"m":"x"}}"#)
            let patched = try await f.send("PATCH", "/v1/sessions/\(id)", as: f.client, json: #"{"title":"second"}"#)
            #expect(patched.status == 200, "\(patched)")
            #expect(patched.json["title"]?.string == "second")
            #expect(patched.json["metadata"]?["a"]?.int == 1, "metadata untouched")
            #expect(patched.json["agent"]?["m"]?.string == "x", "agent untouched")
            let meta = try await f.send("PATCH", "/v1/sessions/\(id)", as: f.client, json: #"{"metadata":{"b":true}}"#)
            #expect(meta.json["metadata"] == .object(["b": .bool(true)]), "metadata is replaced")
            #expect(meta.json["title"]?.string == "second")
            let got = try await f.get("/v1/sessions/\(id)", as: f.client)
            #expect(got.json == meta.json)
            #expect((got.json["updated_at"]?.string ?? "") >= (got.json["created_at"]?.string ?? "~"))

            let bad = try await f.send("PATCH", "/v1/sessions/\(id)", as: f.client, json: #"{"metadata":"x"}"#)
            #expect(bad.status == 400)
            #expect(bad.errorParam == "metadata")
            let empty = try await f.send("PATCH", "/v1/sessions/\(id)", as: f.client)
            #expect(empty.status == 400, "PATCH needs a body: \(empty)")
            let after = try await f.get("/v1/sessions/\(id)", as: f.client)
            #expect(after.json == meta.json, "rejected PATCHes changed nothing")

            let missing = try await f.send("PATCH", "/v1/sessions/ses_01NOSUCHSESSION000000000000", as: f.admin, json: "{}")
            #expect(missing.status == 404)
        }
    }

    @Test func deleteArchivesKeepsHistoryAndRefusesNewMessages() async throws {
        try await withFixture { f in
            let id = try await f.createSession(as: f.operatorKey)
            let (message, run) = try await f.postMessage(id, "before archiving", as: f.operatorKey)
            let deleted = try await f.send("DELETE", "/v1/sessions/\(id)", as: f.operatorKey)
            #expect(deleted.status == 200, "\(deleted)")
            #expect(deleted.json["status"]?.string == "archived")
            #expect(deleted.id == id)

            let got = try await f.get("/v1/sessions/\(id)", as: f.operatorKey)
            #expect(got.status == 200, "an archived session is still there")
            #expect(got.json["status"]?.string == "archived")
            let messages = try await f.get("/v1/sessions/\(id)/messages", as: f.operatorKey)
            #expect(messages.ids == [message], "history is kept")
            // The queued run was cancelled by the archive.
            let runReply = try await f.get("/v1/runs/\(run)", as: f.operatorKey)
            #expect(runReply.json["status"]?.string == "cancelled")
            #expect(runReply.json["stop_reason"]?.string == "session_archived")

            let eventsBefore = try await f.storedEvents(id).count
            let post = try await f.post("/v1/sessions/\(id)/messages", as: f.operatorKey, json: #"{"content":"after"}"#)
            #expect(post.status == 409, "\(post)")
            #expect(post.errorType == "conflict")
            #expect(post.errorCode == "session_archived")
            let messagesAfter = try await f.get("/v1/sessions/\(id)/messages", as: f.operatorKey)
            #expect(messagesAfter.ids == [message], "a refused message is not stored")
            let runsAfter = try await f.get("/v1/sessions/\(id)/runs", as: f.operatorKey)
            #expect(runsAfter.ids == [run], "a refused message queues no run")
            #expect(try await f.storedEvents(id).count == eventsBefore)

            let patch = try await f.send("PATCH", "/v1/sessions/\(id)", as: f.operatorKey, json: #"{"title":"x"}"#)
            #expect(patch.status == 409)
            let again = try await f.send("DELETE", "/v1/sessions/\(id)", as: f.operatorKey)
            #expect(again.status == 200, "archiving twice is harmless")
            #expect(again.json["status"]?.string == "archived")
            let missing = try await f.send("DELETE", "/v1/sessions/ses_01NOSUCHSESSION000000000000", as: f.operatorKey)
            #expect(missing.status == 404)
        }
    }

    /// Archiving cancels the session's unfinished runs however many other sessions have runs
    /// waiting (a server-wide backlog of a thousand queued runs is ordinary under load).
    @Test func archiveCancelsItsRunsWhateverTheBacklogElsewhere() async throws {
        try await withFixture { f in
            let busy = try await f.createSession(as: f.operatorKey)
            try await f.core.write { tx in
                for i in 0..<1000 {
                    _ = try tx.postMessage(IncomingMessage(content: [ContentBlock(text: "backlog \(i)")]), to: busy)
                }
            }
            let session = try await f.createSession(as: f.operatorKey)
            let (_, run) = try await f.postMessage(session, "mine", as: f.operatorKey)
            let archived = try await f.send("DELETE", "/v1/sessions/\(session)", as: f.operatorKey)
            #expect(archived.status == 200)
            let got = try await f.get("/v1/runs/\(run)", as: f.operatorKey)
            #expect(got.json["status"]?.string == "cancelled", "the archived session's run: \(got)")
            #expect(try await f.count("runs", where: "session_id = ? AND status = 'queued'", [.text(session)]) == 0)
            #expect(try await f.count("runs", where: "session_id = ? AND status = 'queued'", [.text(busy)]) == 1000,
                    "other sessions' runs are untouched")
        }
    }

    @Test func statusFilter() async throws {
        try await withFixture { f in
            let a = try await f.createSession(as: f.admin)
            let b = try await f.createSession(as: f.admin)
            let c = try await f.createSession(as: f.admin)
            _ = try await f.send("DELETE", "/v1/sessions/\(b)", as: f.admin)
            let archived = try await f.get("/v1/sessions?status=archived", as: f.admin)
            #expect(archived.ids == [b])
            let idle = try await f.get("/v1/sessions?status=idle&order=asc", as: f.admin)
            #expect(idle.ids == [a, c])
            let running = try await f.get("/v1/sessions?status=running", as: f.admin)
            #expect(running.ids.isEmpty)
            let bad = try await f.get("/v1/sessions?status=sleeping", as: f.admin)
            #expect(bad.status == 400)
            #expect(bad.errorParam == "status")
        }
    }
}

@Suite struct ClientIsolationTests {
    @Test func aClientNeverSeesAnotherClientsSession() async throws {
        try await withFixture { f in
            let mine = try await f.createSession(as: f.client, json: #"{"title":"mine"}"#)
            let (message, run) = try await f.postMessage(mine, "private", as: f.client)
            let theirs = try await f.createSession(as: f.client2, json: #"{"title":"theirs"}"#)
            let operatorSession = try await f.createSession(as: f.operatorKey)
            let before = try await f.core.sessionRecord(mine)
            let eventsBefore = try await f.storedEvents(mine)

            let probes: [(String, String, String?)] = [
                ("GET", "/v1/sessions/\(mine)", nil),
                ("PATCH", "/v1/sessions/\(mine)", #"{"title":"stolen"}"#),
                ("DELETE", "/v1/sessions/\(mine)", nil),
                ("GET", "/v1/sessions/\(mine)/messages", nil),
                ("POST", "/v1/sessions/\(mine)/messages", #"{"content":"intrusion"}"#),
                ("GET", "/v1/sessions/\(mine)/runs", nil),
                ("GET", "/v1/sessions/\(mine)/events", nil),
                ("GET", "/v1/runs/\(run)", nil),
                ("POST", "/v1/runs/\(run)/cancel", nil),
            ]
            for (method, path, json) in probes {
                let reply = try await f.sendMaybeStreaming(method, path, as: f.client2, json: json)
                #expect(reply.status == 404, "\(method) \(path) by another client: \(reply)")
                #expect(reply.errorType == "not_found", "\(method) \(path)")
                // Indistinguishable from a session that does not exist.
                let ghost = path.replacingOccurrences(of: mine, with: "ses_01NOSUCHSESSION000000000000")
                    .replacingOccurrences(of: run, with: "run_01NOSUCHRUN00000000000000")
                let nothing = try await f.sendMaybeStreaming(method, ghost, as: f.client2, json: json)
                #expect(nothing.status == 404)
                #expect(nothing.errorCode == reply.errorCode, "\(method) \(path): same code as a missing resource")
            }
            // Nothing changed.
            #expect(try await f.core.sessionRecord(mine) == before)
            #expect(try await f.storedEvents(mine) == eventsBefore)
            #expect(try await f.core.runRecord(run)?.status == "queued")

            // Lists show only the caller's own sessions; the operator sees all.
            let list1 = try await f.get("/v1/sessions", as: f.client)
            #expect(list1.ids == [mine])
            let list2 = try await f.get("/v1/sessions", as: f.client2)
            #expect(list2.ids == [theirs])
            let listAll = try await f.get("/v1/sessions", as: f.operatorKey)
            #expect(Set(listAll.ids) == [mine, theirs, operatorSession])
            // A client cannot read an operator's session either.
            let foreign = try await f.get("/v1/sessions/\(operatorSession)", as: f.client)
            #expect(foreign.status == 404)

            // The owner still can.
            let own = try await f.get("/v1/sessions/\(mine)/messages", as: f.client)
            #expect(own.ids == [message])
            let cancel = try await f.post("/v1/runs/\(run)/cancel", as: f.client)
            #expect(cancel.status == 200)
        }
    }
}
