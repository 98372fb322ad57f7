import CredentialProxy
import Foundation
import Store
import Testing
@testable import API
@testable import Core

@Suite struct WebhookTests {
    static let url = "https://hooks.example.com/warden/in?token=s3cr3t-t0ken"

    @Test func createShowsTheSecretOnceThenGetListAndDelete() async throws {
        try await withFixture { f in
            let created = try await f.post("/v1/webhooks", as: f.admin, json: """
                {"url":"\(Self.url)","events":["run.failed","approval.requested","run.failed"],
                 "description":"pager","comment":"unknown fields are ignored"}
                """)
            #expect(created.status == 201, "\(created)")
            #expect(IDGenerator.isValid(created.id, kind: .webhook))
            #expect(Set(created.json.object?.keys.map { $0 } ?? []) ==
                    ["id", "object", "url", "events", "description", "created_at", "secret"])
            #expect(created.json["object"]?.string == "webhook")
            #expect(created.json["url"]?.string == Self.url)
            #expect(created.json["events"]?.array?.compactMap(\.string) == ["run.failed", "approval.requested"],
                    "duplicates dropped, in the order named")
            #expect(created.json["description"]?.string == "pager")
            #expect(created.json["created_at"]?.string.flatMap(Timestamp.parse) != nil)
            let secretText = try #require(created.json["secret"]?.string)
            let secret = try #require(WebhookSigningSecret(secretText))
            #expect(secretText.hasPrefix("whsec_") && secret.bytes.count == 32)

            // Never shown again.
            let fetched = try await f.get("/v1/webhooks/\(created.id)", as: f.admin)
            #expect(fetched.status == 200)
            var withoutSecret = created.json.object ?? [:]
            withoutSecret["secret"] = nil
            #expect(fetched.json == .object(withoutSecret))
            let list = try await f.get("/v1/webhooks", as: f.admin)
            #expect(list.ids == [created.id] && list.json["data"]?[0] == .object(withoutSecret))
            #expect(!fetched.text.contains(secretText) && !list.text.contains(secretText))

            // Stored sealed: the row opens to the secret with the vault and holds no plaintext.
            let record = try #require(try await f.core.read { try WebhookRepository($0).find(created.id) })
            #expect(try f.api.credentials.vault.open(nonce: record.secretNonce, ciphertext: record.secretCiphertext,
                                                     id: record.id, name: record.sealName) == secret.bytes)
            #expect(!record.secretCiphertext.starts(with: secret.bytes))
            #expect(record.afterEventSeq >= 0 && record.createdBy == f.admin.id)

            let minimal = try await f.post("/v1/webhooks", as: f.admin,
                                           json: #"{"url":"http://127.0.0.1:9000/","events":["run.completed"],"description":null}"#)
            #expect(minimal.status == 201 && minimal.json["description"]?.isNull == true)
            #expect(minimal.json["secret"]?.string != secretText, "each webhook has its own secret")
            #expect(try await f.get("/v1/webhooks", as: f.admin).ids == [minimal.id, created.id], "newest first")

            let deleted = try await f.send("DELETE", "/v1/webhooks/\(created.id)", as: f.admin)
            #expect(deleted.status == 200)
            #expect(deleted.json == .object(["deleted": .bool(true), "id": .string(created.id), "object": .string("webhook")]))
            #expect(try await f.get("/v1/webhooks/\(created.id)", as: f.admin).errorCode == "webhook_not_found")
            #expect(try await f.send("DELETE", "/v1/webhooks/\(created.id)", as: f.admin).status == 404)
            #expect(try await f.get("/v1/webhooks/\(created.id)/deliveries", as: f.admin).errorCode == "webhook_not_found")
            #expect(try await f.get("/v1/webhooks", as: f.admin).ids == [minimal.id])

            // Audited with the URL's origin: its path and query may carry the receiver's token.
            let audit = try await f.get("/v1/audit?kind=webhook.created&order=asc", as: f.admin)
            #expect(audit.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [created.id, minimal.id])
            #expect(audit.json["data"]?[0]?["actor"]?.string == f.admin.id)
            #expect(audit.json["data"]?[0]?["detail"] == .object([
                "origin": .string("https://hooks.example.com"),
                "events": .array([.string("run.failed"), .string("approval.requested")])]))
            let deletions = try await f.get("/v1/audit?kind=webhook.deleted", as: f.admin)
            #expect(deletions.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [created.id])
            let everything = try await f.get("/v1/audit?limit=100", as: f.admin).text
            #expect(!everything.contains("s3cr3t-t0ken") && !everything.contains(secretText))
        }
    }

    static let invalidWebhooks: [(body: String, param: String?, message: String)] = [
        (#"{"events":["run.completed"]}"#, "url", "required"),
        (#"{"url":"https://a.example"}"#, "events", "required"),
        (#"{"url":7,"events":["run.completed"]}"#, "url", "must be a string"),
        (#"{"url":"","events":["run.completed"]}"#, "url", "empty"),
        (#"{"url":"hooks.example.com/in","events":["run.completed"]}"#, "url", "https://"),
        (#"{"url":"ftp://hooks.example.com/in","events":["run.completed"]}"#, "url", "https://"),
        (#"{"url":"https:///in","events":["run.completed"]}"#, "url", "needs a host"),
        (#"{"url":"https://user:pw@hooks.example.com/","events":["run.completed"]}"#, "url", "user information"),
        (#"{"url":"https://hooks.example.com/#x","events":["run.completed"]}"#, "url", "fragment"),
        (#"{"url":"https://hooks.example.com:99999/","events":["run.completed"]}"#, "url", "port"),
        (#"{"url":"https://hooks example.com/","events":["run.completed"]}"#, "url", "spaces"),
        (#"{"url":"https://hooks.example.com/a%zz","events":["run.completed"]}"#, "url", "hexadecimal"),
        (#"{"url":"https://a.example","events":[]}"#, "events", "at least one"),
        (#"{"url":"https://a.example","events":"run.completed"}"#, "events", "must be an array"),
        (#"{"url":"https://a.example","events":["run.completed","run.created"]}"#, "events[1]", "must be one of"),
        (#"{"url":"https://a.example","events":["*"]}"#, "events[0]", "must be one of"),
        (#"{"url":"https://a.example","events":["run.completed",3]}"#, "events[1]", "must be a string"),
        (#"{"url":"https://a.example","events":["run.completed"],"description":5}"#, "description", "must be a string"),
        ("{\"url\":\"https://a.example\",\"events\":[\"run.completed\"],\"description\":\"\(String(repeating: "x", count: 501))\"}",
         "description", "500 characters"),
    ]

    /// Every refusal is a 400 naming the field, and stores nothing: no webhook, no audit row.
    @Test func badInputIs400WithItsParamAndStoresNothing() async throws {
        try await withFixture { f in
            let auditBefore = try await f.count("audit")
            for (body, param, message) in Self.invalidWebhooks {
                let reply = try await f.post("/v1/webhooks", as: f.admin, json: body)
                #expect(reply.status == 400, "\(body): \(reply)")
                #expect(reply.errorType == "invalid_request", "\(body): \(reply)")
                #expect(reply.errorParam == param, "\(body): \(reply)")
                #expect((reply.json["error"]?["message"]?.string ?? "").contains(message), "\(body): \(reply)")
            }
            #expect(try await f.post("/v1/webhooks", as: f.admin).errorCode == "missing_body")
            #expect(try await f.count("webhooks") == 0)
            #expect(try await f.count("audit") == auditBefore)
        }
    }

    /// A replay returns the stored response, which never held the secret.
    @Test func anIdempotentReplayReturnsTheWebhookWithoutItsSecret() async throws {
        try await withFixture { f in
            let body = #"{"url":"https://hooks.example.com/in","events":["run.completed"]}"#
            let key = [("Idempotency-Key", "webhook-1")]
            let first = try await f.post("/v1/webhooks", as: f.admin, json: body, headers: key)
            let replay = try await f.post("/v1/webhooks", as: f.admin, json: body, headers: key)
            #expect(first.status == 201 && replay.status == 201)
            #expect(first.json["secret"]?.string?.hasPrefix("whsec_") == true)
            #expect(replay.headers["Idempotent-Replayed"] == "true")
            var expected = first.json.object ?? [:]
            expected["secret"] = nil
            #expect(replay.json == .object(expected))
            let stored = try await f.core.read { db in
                try db.queryOne("SELECT body FROM idempotency_keys WHERE key = ?", [.text("webhook-1")])?.get("body") as [UInt8]?
            }
            #expect(!String(decoding: stored ?? [], as: UTF8.self).contains("whsec_"))
            let reused = try await f.post("/v1/webhooks", as: f.admin,
                                          json: #"{"url":"https://other.example.com/in","events":["run.completed"]}"#, headers: key)
            #expect(reused.status == 409 && reused.errorCode == "idempotency_key_reused")
            #expect(try await f.count("webhooks") == 1)
        }
    }

    /// The delivery log: newest first, paged like every list, what each attempt did.
    @Test func theDeliveryLogListsAWebhooksDeliveries() async throws {
        try await withFixture { f in
            let webhook = try await f.post("/v1/webhooks", as: f.admin,
                                           json: #"{"url":"https://hooks.example.com/in","events":["run.completed"]}"#).id
            let other = try await f.post("/v1/webhooks", as: f.admin,
                                         json: #"{"url":"https://other.example.com/in","events":["run.completed"]}"#).id
            var ids: [String] = []
            for (index, target) in [webhook, webhook, other, webhook].enumerated() {
                let id = f.core.ids.make(.webhookDelivery)
                if target == webhook { ids.append(id) }
                _ = try await f.core.write { tx in
                    try WebhookDeliveryRepository(tx.db).insert(WebhookDeliveryRecord(
                        id: id, webhookID: target, eventID: "evt_\(index)", eventType: "run.completed", payload: "{}",
                        nextAttemptAt: tx.now, createdAt: tx.now))
                }
            }
            let retriedID = ids[0]
            _ = try await f.core.write { tx in
                try WebhookDeliveryRepository(tx.db).recordAttempt(retriedID, WebhookAttemptRecord(
                    at: tx.now, statusCode: 500, error: "the endpoint answered 500", status: "pending",
                    nextAttemptAt: Timestamp.after(seconds: 30)))
            }
            let log = try await f.get("/v1/webhooks/\(webhook)/deliveries", as: f.admin)
            #expect(log.status == 200)
            #expect(log.ids == ids.reversed(), "newest first, this webhook's only")
            let retried = try #require(log.json["data"]?[2])
            #expect(Set(retried.object?.keys.map { $0 } ?? []) ==
                    ["id", "object", "webhook_id", "event_id", "event_type", "status", "attempts", "last_status_code",
                     "last_error", "last_attempt_at", "next_attempt_at", "created_at", "delivered_at"])
            #expect(retried["object"]?.string == "webhook_delivery" && retried["webhook_id"]?.string == webhook)
            #expect(retried["status"]?.string == "pending" && retried["attempts"]?.int == 1)
            #expect(retried["last_status_code"]?.int == 500 && retried["last_error"]?.string == "the endpoint answered 500")
            #expect(retried["next_attempt_at"]?.string.flatMap(Timestamp.parse) != nil && retried["delivered_at"]?.isNull == true)
            #expect(log.json["data"]?[0]?["last_status_code"]?.isNull == true)

            let page = try await f.get("/v1/webhooks/\(webhook)/deliveries?limit=2&order=asc", as: f.admin)
            #expect(page.ids == Array(ids[0..<2]) && page.json["has_more"]?.bool == true)
            let next = try await f.get("/v1/webhooks/\(webhook)/deliveries?limit=2&order=asc&after=\(ids[1])", as: f.admin)
            #expect(next.ids == [ids[2]] && next.json["has_more"]?.bool == false)
            #expect(try await f.get("/v1/webhooks/\(webhook)/deliveries?limit=101", as: f.admin).errorParam == "limit")

            // Deleting the webhook drops its log with it.
            #expect(try await f.send("DELETE", "/v1/webhooks/\(webhook)", as: f.admin).status == 200)
            #expect(try await f.count("webhook_deliveries") == 1)
        }
    }
}
