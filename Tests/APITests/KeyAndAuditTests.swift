import Foundation
import Testing
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct KeyTests {
    @Test func createdKeyIsShownOnceWorksAndCanBeRevoked() async throws {
        try await withFixture { f in
            let created = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"operator","name":"ci"}"#)
            #expect(created.status == 201, "\(created)")
            let secret = created.json["key"]?.string ?? ""
            #expect(secret.hasPrefix("wk_"), "\(secret)")
            #expect(secret.count >= 40)
            #expect(created.json["object"]?.string == "api_key")
            #expect(created.json["role"]?.string == "operator")
            #expect(created.json["name"]?.string == "ci")
            #expect(created.json["prefix"]?.string == String(secret.prefix(10)))
            #expect(IDGenerator.isValid(created.id, kind: .key))
            let key = TestKey(id: created.id, secret: secret, role: .operator)

            // It works as a bearer token, with its role.
            let sessions = try await f.get("/v1/sessions", as: key)
            #expect(sessions.status == 200)
            let keys = try await f.get("/v1/keys", as: key)
            #expect(keys.status == 403)

            // Listed without the secret.
            let list = try await f.get("/v1/keys?limit=100", as: f.admin)
            #expect(list.status == 200)
            #expect(list.ids.contains(created.id))
            #expect(!list.text.contains(secret))
            #expect(!list.text.contains(String(secret.dropFirst(10))))
            #expect(list.json["data"]?.array?.allSatisfy { $0["key"] == nil } == true)
            #expect(!list.text.contains(APIFixture.bootstrapSecret))
            #expect(list.ids.count == 7, "the bootstrap admin, five test keys and this one")

            // Revoked: 401 at once, gone from the list, a second revoke is 404.
            let revoked = try await f.send("DELETE", "/v1/keys/\(created.id)", as: f.admin)
            #expect(revoked.status == 200, "\(revoked)")
            #expect(revoked.json["deleted"]?.bool == true)
            #expect(revoked.json["id"]?.string == created.id)
            let after = try await f.get("/v1/sessions", as: key)
            #expect(after.status == 401)
            #expect(after.errorType == "authentication")
            let listAfter = try await f.get("/v1/keys?limit=100", as: f.admin)
            #expect(!listAfter.ids.contains(created.id))
            let again = try await f.send("DELETE", "/v1/keys/\(created.id)", as: f.admin)
            #expect(again.status == 404)
            let ghost = try await f.send("DELETE", "/v1/keys/key_01NOSUCHKEY000000000000000", as: f.admin)
            #expect(ghost.status == 404)
        }
    }

    @Test func invalidKeyRequests() async throws {
        try await withFixture { f in
            for (body, param) in [(#"{"role":"superuser"}"#, "role"), (#"{}"#, "role"), (#"{"role":5}"#, "role"),
                                  (#"{"role":"client","name":"\#(String(repeating: "n", count: 129))"}"#, "name")] {
                let reply = try await f.post("/v1/keys", as: f.admin, json: body)
                #expect(reply.status == 400, "\(body.prefix(40)): \(reply)")
                #expect(reply.errorParam == param, "\(body.prefix(40)): \(reply)")
            }
            #expect(try await f.count("api_keys") == 6)
        }
    }

    /// A revoked key stays revoked after a restart; an active one keeps working.
    @Test func revocationSurvivesARestart() async throws {
        let f = try await APIFixture.make()
        let created = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"client"}"#)
        let kept = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"client"}"#)
        _ = try await f.send("DELETE", "/v1/keys/\(created.id)", as: f.admin)
        let g = try await f.restarted()
        defer { g.remove() }
        let revoked = try await g.get("/v1/sessions", as: TestKey(id: created.id, secret: created.json["key"]?.string ?? "",
                                                                  role: .client))
        let active = try await g.get("/v1/sessions", as: TestKey(id: kept.id, secret: kept.json["key"]?.string ?? "",
                                                                 role: .client))
        let bootstrap = try await g.get("/v1/keys", as: TestKey(id: "", secret: APIFixture.bootstrapSecret, role: .admin))
        await g.stop()
        #expect(revoked.status == 401)
        #expect(active.status == 200)
        #expect(bootstrap.status == 200, "the WARDEN_ADMIN_KEY secret works")
    }

    /// Secrets are stored hashed: no secret's bytes are anywhere in the database files.
    @Test func databaseNeverContainsSecrets() async throws {
        let f = try await APIFixture.make()
        var secrets = [APIFixture.bootstrapSecret] + [f.admin, f.operatorKey, f.approver, f.client, f.client2].map(\.secret)
        let viaAPI = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"approver","name":"api"}"#)
        secrets.append(viaAPI.json["key"]?.string ?? "missing")
        // With an Idempotency-Key the response is stored for replays: without the secret.
        let idempotent = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"client"}"#,
                                          headers: [("Idempotency-Key", "key-create-1")])
        let idempotentSecret = idempotent.json["key"]?.string ?? "missing"
        secrets.append(idempotentSecret)
        #expect(idempotentSecret.hasPrefix("wk_"), "the first response shows the secret")
        let replay = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"client"}"#,
                                      headers: [("Idempotency-Key", "key-create-1")])
        #expect(replay.status == 201)
        #expect(replay.id == idempotent.id, "the replay is the same key")
        #expect(replay.json["key"] == nil, "a replay does not show the secret again")
        #expect(replay.headers["Idempotent-Replayed"] == "true")
        #expect(try await f.count("api_keys") == 8, "the replay created no key")
        // Some traffic with each key, so the WAL is busy.
        for key in f.keys { _ = try await f.get("/v1/sessions", as: key) }
        _ = try await f.createSession(as: f.client)

        func scan(_ when: String) throws {
            let files = try FileManager.default.contentsOfDirectory(atPath: f.directory.path)
            #expect(files.contains("warden.db"))
            for file in files {
                let data = try Data(contentsOf: f.directory.appendingPathComponent(file))
                for secret in secrets {
                    // The stored prefix (first 10 characters) is meant to be seen; the rest is not.
                    let tail = Data(secret.dropFirst(10).utf8)
                    #expect(data.range(of: tail) == nil, "\(when): \(file) contains a secret")
                }
            }
        }
        try scan("while running")
        await f.stop()
        try scan("after closing")
        f.remove()
    }
}

@Suite struct AuditTests {
    @Test func auditRecordsAndFilters() async throws {
        try await withFixture { f in
            let key = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"client","name":"audited"}"#)
            let session = try await f.createSession(as: f.operatorKey)
            let other = try await f.createSession(as: f.operatorKey)
            let (_, run) = try await f.postMessage(session, as: f.operatorKey)
            _ = try await f.post("/v1/runs/\(run)/cancel", as: f.operatorKey)
            let approval = try await f.requestApproval(session)
            _ = try await f.post("/v1/approvals/\(approval.id)/decision", as: f.approver,
                                 json: #"{"decision":"deny","reason":"no"}"#)
            _ = try await f.send("DELETE", "/v1/sessions/\(session)", as: f.operatorKey)
            _ = try await f.send("DELETE", "/v1/keys/\(key.id)", as: f.admin)

            let all = try await f.get("/v1/audit?limit=100", as: f.admin)
            #expect(all.status == 200)
            #expect(all.json["object"]?.string == "list")
            let records = all.json["data"]?.array ?? []
            let kinds = Set(records.compactMap { $0["kind"]?.string })
            for kind in ["key.created", "key.revoked", "session.created", "approval.decided", "run.cancelled",
                         "session.archived"] {
                #expect(kinds.contains(kind), "audit has \(kind): \(kinds.sorted())")
            }
            let ids = records.compactMap { $0["id"]?.string }
            #expect(ids == ids.sorted().reversed(), "newest first")
            #expect(records.allSatisfy { $0["object"]?.string == "audit_record" })

            func one(_ kind: String, _ subject: String) -> JSONValue? {
                records.first { $0["kind"]?.string == kind && $0["subject_id"]?.string == subject }
            }
            #expect(one("key.created", key.id)?["actor"]?.string == f.admin.id)
            #expect(one("key.created", key.id)?["detail"]?["role"]?.string == "client")
            #expect(one("session.created", session)?["actor"]?.string == f.operatorKey.id)
            #expect(one("session.created", session)?["session_id"]?.string == session)
            #expect(one("run.cancelled", run)?["actor"]?.string == f.operatorKey.id)
            #expect(one("approval.decided", approval.id)?["actor"]?.string == f.approver.id)
            #expect(one("approval.decided", approval.id)?["detail"]?["decision"]?.string == "deny")
            #expect(one("approval.decided", approval.id)?["detail"]?["reason"]?.string == "no")
            #expect(one("session.archived", session)?["actor"]?.string == f.operatorKey.id)
            #expect(one("key.revoked", key.id)?["actor"]?.string == f.admin.id)
            // No secret in the audit log.
            #expect(!all.text.contains(String((key.json["key"]?.string ?? "wk_missing").dropFirst(10))))

            let bySession = try await f.get("/v1/audit?session_id=\(session)&order=asc", as: f.admin)
            #expect(bySession.json["data"]?.array?.compactMap { $0["kind"]?.string } ==
                        ["session.created", "run.cancelled", "approval.decided", "session.archived"])
            let byKind = try await f.get("/v1/audit?kind=session.created&order=asc", as: f.admin)
            #expect(byKind.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [session, other])
            let both = try await f.get("/v1/audit?kind=session.created&session_id=\(other)", as: f.admin)
            #expect(both.json["data"]?.array?.count == 1)
            let none = try await f.get("/v1/audit?kind=no.such.kind", as: f.admin)
            #expect(none.ids.isEmpty)
            let paged = try await f.get("/v1/audit?kind=session.created&limit=1", as: f.admin)
            #expect(paged.json["has_more"]?.bool == true)
            #expect(paged.json["data"]?.array?.first?["subject_id"]?.string == other)
        }
    }

    /// Refused requests leave no audit records behind.
    @Test func refusedRequestsAreNotAudited() async throws {
        try await withFixture { f in
            let before = try await f.count("audit")
            _ = try await f.post("/v1/sessions", as: f.approver, json: "{}")
            _ = try await f.post("/v1/sessions", as: f.admin, json: #"{"metadata":1}"#)
            _ = try await f.post("/v1/keys", as: f.operatorKey, json: #"{"role":"admin"}"#)
            #expect(try await f.count("audit") == before)
        }
    }
}

@Suite struct MetricsEndpointTests {
    @Test func metricsAreTextForAdminsAndOperatorsOnly() async throws {
        try await withFixture { f in
            _ = try await f.createSession(as: f.operatorKey)
            let reply = try await f.get("/metrics", as: f.operatorKey)
            #expect(reply.status == 200)
            #expect(reply.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(reply.text.contains("# TYPE warden_store_writes_total counter"))
            #expect(reply.text.contains("# TYPE warden_proxy_requests_total counter"))
            #expect(reply.text.contains("warden_proxy_bytes_total{direction=\"to_agent\"} 0"))
            #expect(try await f.get("/metrics", as: f.client).status == 403)
            #expect(try await f.get("/metrics", as: nil).status == 401)
        }
    }
}
