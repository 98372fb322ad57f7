import Foundation
import Logging
import Testing
@testable import API
@testable import Core
import CredentialProxy
import HTTP
import Store

@Suite struct CredentialTests {
    /// Distinctive enough that finding it anywhere is a leak, not a coincidence.
    static let secret = "sk-live-CANARY-7f3a9c1e5b2d4068a1b3c5d7e9f0a2b4"

    static func body(name: String = "github", secret: String = secret, extra: String = "") -> String {
        """
        {"name":"\(name)","hosts":["api.github.com","*.githubusercontent.com"],"path_prefix":"/repos",
         "inject":{"header":"Authorization","template":"Bearer {secret}"},"placeholder":"ghp_placeholder",
         "secret":"\(secret)"\(extra)}
        """
    }

    @Test func createListAndDeleteACredential() async throws {
        try await withFixture { f in
            let created = try await f.post("/v1/credentials", as: f.admin, json: Self.body(extra: #","note":"ignored""#))
            #expect(created.status == 201, "\(created)")
            #expect(IDGenerator.isValid(created.id, kind: .credential))
            #expect(Set(created.json.object?.keys.map { $0 } ?? []) ==
                    ["id", "object", "name", "hosts", "path_prefix", "inject", "placeholder", "exchange",
                     "exchange_settings", "created_at"])
            #expect(created.json["exchange"]?.isNull == true && created.json["exchange_settings"]?.isNull == true)
            #expect(created.json["object"]?.string == "credential")
            #expect(created.json["name"]?.string == "github")
            #expect(created.json["hosts"]?.array?.compactMap(\.string) == ["api.github.com", "*.githubusercontent.com"])
            #expect(created.json["path_prefix"]?.string == "/repos")
            #expect(created.json["inject"] == .object(["header": .string("Authorization"), "template": .string("Bearer {secret}")]))
            #expect(created.json["placeholder"]?.string == "ghp_placeholder")
            #expect(!created.text.contains(Self.secret))

            // The proxy gets the secret back from the vault.
            let unsealed = try #require(try await f.api.credentials.unseal(name: "github"))
            #expect(unsealed.secret == Secret(Self.secret))
            #expect(unsealed.credential.id == created.id)

            let minimal = try await f.post("/v1/credentials", as: f.admin, json: """
                {"name":"slack-bot","hosts":["slack.com"],"inject":{"header":"Authorization","template":"Bearer {secret}"},"secret":"xoxb-1"}
                """)
            #expect(minimal.status == 201, "\(minimal)")
            #expect(minimal.json["path_prefix"]?.isNull == true)
            #expect(minimal.json["placeholder"]?.isNull == true)

            let list = try await f.get("/v1/credentials", as: f.admin)
            #expect(list.status == 200)
            #expect(list.ids == [minimal.id, created.id], "newest first")
            #expect(list.json["data"]?[1] == created.json)
            #expect(!list.text.contains(Self.secret) && !list.text.contains("xoxb-1"))

            let deleted = try await f.send("DELETE", "/v1/credentials/\(created.id)", as: f.admin)
            #expect(deleted.status == 200, "\(deleted)")
            #expect(deleted.json == .object(["deleted": .bool(true), "id": .string(created.id), "object": .string("credential")]))
            #expect(try await f.api.credentials.find(name: "github") == nil)
            #expect(try await f.get("/v1/credentials", as: f.admin).ids == [minimal.id])
            let again = try await f.send("DELETE", "/v1/credentials/\(created.id)", as: f.admin)
            #expect(again.status == 404)
            #expect(again.errorCode == "credential_not_found")

            let audit = try await f.get("/v1/audit?kind=credential.created&order=asc", as: f.admin)
            #expect(audit.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [created.id, minimal.id])
            #expect(audit.json["data"]?[0]?["actor"]?.string == f.admin.id)
            let deletions = try await f.get("/v1/audit?kind=credential.deleted", as: f.admin)
            #expect(deletions.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [created.id])
        }
    }

    /// POST does not replace: a second credential with a taken name is a conflict, and the first
    /// keeps its secret. Replacing is deleting and creating.
    @Test func anExistingNameIsAConflict() async throws {
        try await withFixture { f in
            let first = try await f.post("/v1/credentials", as: f.admin, json: Self.body())
            #expect(first.status == 201)
            let second = try await f.post("/v1/credentials", as: f.admin, json: Self.body(secret: "another-secret"))
            #expect(second.status == 409, "\(second)")
            #expect(second.errorCode == "credential_exists")
            #expect(second.errorParam == "name")
            #expect(second.json["error"]?["message"]?.string?.contains("delete it first") == true)
            #expect(try await f.api.credentials.unseal(name: "github")?.secret == Secret(Self.secret))
            #expect(try await f.count("audit", where: "kind = 'credential.replaced'") == 0)

            #expect(try await f.send("DELETE", "/v1/credentials/\(first.id)", as: f.admin).status == 200)
            let recreated = try await f.post("/v1/credentials", as: f.admin, json: Self.body(secret: "another-secret"))
            #expect(recreated.status == 201)
            #expect(recreated.id != first.id)
        }
    }

    /// The name is checked in the write that creates the credential: of concurrent creates with
    /// one name exactly one is created, the others are 409 and replace nothing.
    @Test func concurrentCreatesWithOneNameMakeExactlyOne() async throws {
        try await withFixture { f in
            let replies = try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
                for i in 0..<8 {
                    group.addTask { (i, try await f.post("/v1/credentials", as: f.admin, json: Self.body(secret: "secret-\(i)"))) }
                }
                return try await group.reduce(into: [(Int, Reply)]()) { $0.append($1) }
            }
            let created = replies.filter { $0.1.status == 201 }
            #expect(created.count == 1, "\(replies.map { $0.1.status })")
            #expect(replies.filter { $0.1.status == 409 && $0.1.errorCode == "credential_exists" }.count == 7)
            let winner = try #require(created.first)
            #expect(try await f.api.credentials.unseal(name: "github")?.secret == Secret("secret-\(winner.0)"))
            #expect(try await f.count("audit", where: "kind = 'credential.replaced'") == 0)
            #expect(try await f.count("audit", where: "kind = 'credential.created'") == 1)
        }
    }

    static let invalidCredentials: [(body: String, param: String, code: String)] = [
        (#"{"hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "name", "missing_field"),
        (#"{"name":"n","inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "hosts", "missing_field"),
        (#"{"name":"n","hosts":["a.com"],"secret":"s"}"#, "inject", "missing_field"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"template":"{secret}"},"secret":"s"}"#, "inject.header", "missing_field"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"}}"#, "secret", "missing_field"),
        (#"{"name":"n","hosts":"a.com","inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "hosts", "invalid_type"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":42}"#, "secret", "invalid_type"),
        (#"{"name":"has space","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "name", "invalid_credential"),
        (#"{"name":"","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "name", "invalid_credential"),
        (#"{"name":"model:anthropic","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "name", "reserved_name"),
        (#"{"name":"Model:mine","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "name", "reserved_name"),
        (#"{"name":"n","hosts":[],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "hosts", "invalid_credential"),
        (#"{"name":"n","hosts":["https://a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "hosts", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com:443"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "hosts", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"path_prefix":"v1","inject":{"header":"X-Key","template":"{secret}"},"secret":"s"}"#, "path_prefix", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"Bad Header","template":"{secret}"},"secret":"s"}"#, "inject.header", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"Host","template":"{secret}"},"secret":"s"}"#, "inject.header", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"Connection","template":"{secret}"},"secret":"s"}"#, "inject.header", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"Bearer"},"secret":"s"}"#, "inject.template", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"placeholder":"","secret":"s"}"#, "placeholder", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":""}"#, "secret", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"secret":"sk-CANARY\nX-Evil: 1"}"#, "secret", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"exchange":"magic","secret":"s"}"#, "exchange", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"exchange_settings":{"scope":"x"},"secret":"s"}"#, "exchange", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"exchange":"oauth_client_credentials","exchange_settings":{"client_id":"c"},"secret":"s"}"#, "exchange_settings.token_url", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"exchange":"oauth_client_credentials","exchange_settings":{"token_url":"ftp://x","client_id":"c"},"secret":"s"}"#, "exchange_settings.token_url", "invalid_credential"),
        (#"{"name":"n","hosts":["a.com"],"inject":{"header":"X-Key","template":"{secret}"},"exchange":"google_service_account","exchange_settings":{"scope":"s"},"secret":"CANARY-not-json"}"#, "secret", "invalid_credential"),
    ]

    @Test func anExchangedCredentialShowsItsSettingsNeverItsSecret() async throws {
        try await withFixture { f in
            let created = try await f.post("/v1/credentials", as: f.admin, json: """
                {"name":"teams","hosts":["smba.trafficmanager.net"],"inject":{"header":"Authorization","template":"Bearer {secret}"},
                 "exchange":"oauth_client_credentials","secret":"\(Self.secret)",
                 "exchange_settings":{"token_url":"https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
                                      "client_id":"app-id","scope":"https://api.botframework.com/.default"}}
                """)
            #expect(created.status == 201, "\(created)")
            #expect(created.json["exchange"]?.string == "oauth_client_credentials")
            #expect(created.json["exchange_settings"]?["client_id"]?.string == "app-id")
            #expect(created.json["exchange_settings"]?["scope"]?.string == "https://api.botframework.com/.default")
            #expect(!created.text.contains(Self.secret))
            let listed = try await f.get("/v1/credentials", as: f.admin)
            #expect(listed.json["data"]?[0] == created.json)
            let stored = try #require(try await f.api.credentials.find(name: "teams"))
            #expect(stored.exchange == .oauthClientCredentials(
                tokenURL: "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
                clientID: "app-id", scope: "https://api.botframework.com/.default"))
            // Never injected into an agent's request: the proxy does not see it for its host.
            #expect(try await f.api.credentials.credentials(forHost: "smba.trafficmanager.net").isEmpty)
        }
    }

    @Test func invalidCredentialsAre400WithTheirParamAndStoreNothing() async throws {
        try await withFixture { f in
            let auditBefore = try await f.count("audit")
            for (body, param, code) in Self.invalidCredentials {
                let reply = try await f.post("/v1/credentials", as: f.admin, json: body)
                #expect(reply.status == 400, "\(body): \(reply)")
                #expect(reply.errorParam == param, "\(body): \(reply)")
                #expect(reply.errorCode == code, "\(body): \(reply)")
                #expect(reply.json["error"]?["message"]?.string?.isEmpty == false)
                #expect(!reply.text.contains("CANARY"), "an error never echoes the secret")
            }
            #expect(try await f.count("credentials") == 0)
            #expect(try await f.count("audit") == auditBefore)
            #expect(try await f.count("idempotency_keys") == 0)
        }
    }

    /// The secret is written once and read only by the proxy: no response, audit record,
    /// idempotency record or plaintext byte of the database (or its WAL) holds it.
    @Test func theSecretIsNeverStoredOrShownInTheClear() async throws {
        try await withFixture { f in
            let key = [("Idempotency-Key", "credential-create-1")]
            let created = try await f.post("/v1/credentials", as: f.admin, json: Self.body(), headers: key)
            let replay = try await f.post("/v1/credentials", as: f.admin, json: Self.body(), headers: key)
            let list = try await f.get("/v1/credentials", as: f.admin)
            let audit = try await f.get("/v1/audit?limit=100", as: f.admin)
            #expect(created.status == 201 && replay.status == 201 && list.status == 200 && audit.status == 200)
            for reply in [created, replay, list, audit] {
                #expect(!reply.text.contains(Self.secret), "\(reply)")
                #expect(!reply.headers.contains { $0.1.contains(Self.secret) })
            }
            let details: [String] = try await f.core.read { db in
                try db.query("SELECT detail FROM audit").map { try $0.get("detail") }
            }
            #expect(!details.isEmpty && details.allSatisfy { !$0.contains(Self.secret) })

            let stored: [(body: [UInt8], hash: [UInt8])] = try await f.core.read { db in
                try db.query("SELECT body, request_hash FROM idempotency_keys").map { (try $0.get("body"), try $0.get("request_hash")) }
            }
            #expect(stored.count == 1)
            #expect(!String(decoding: stored[0].body, as: UTF8.self).contains(Self.secret))
            // Not even a hash of a body holding the secret, which would let guesses be tested.
            let rawHash = Crypto.sha256(Array("POST /v1/credentials\n".utf8) + Array(Self.body().utf8))
            #expect(stored[0].hash != rawHash)

            let needle = Array(Self.secret.utf8)
            for suffix in ["", "-wal"] {
                let path = f.dbPath + suffix
                guard let bytes = FileManager.default.contents(atPath: path).map(Array.init) else { continue }
                #expect(!Self.contains(bytes, needle), "\(path) holds the secret in plaintext")
            }
            // The check above would find it: the WAL does hold the plaintext name.
            let wal = FileManager.default.contents(atPath: f.dbPath + "-wal").map(Array.init) ?? []
            let main = FileManager.default.contents(atPath: f.dbPath).map(Array.init) ?? []
            #expect(Self.contains(wal, Array("githubusercontent".utf8)) || Self.contains(main, Array("githubusercontent".utf8)))
        }
    }

    /// A replay returns the stored response, which never had the secret, byte for byte. Reusing
    /// the key with another secret, or after the credential is gone, is a conflict: the vault is
    /// asked, since the stored fingerprint leaves the secret out.
    @Test func idempotentReplayNeitherReturnsNorStoresTheSecret() async throws {
        try await withFixture { f in
            let key = [("Idempotency-Key", "credential-create-2")]
            let first = try await f.post("/v1/credentials", as: f.admin, json: Self.body(), headers: key)
            #expect(first.status == 201 && first.headers["Idempotent-Replayed"] == nil)
            let replay = try await f.post("/v1/credentials", as: f.admin, json: Self.body(), headers: key)
            #expect(replay.status == 201)
            #expect(replay.headers["Idempotent-Replayed"] == "true")
            #expect(replay.body == first.body)
            #expect(try await f.count("credentials") == 1)
            #expect(try await f.count("audit", where: "kind LIKE 'credential.%'") == 1)

            let otherSecret = try await f.post("/v1/credentials", as: f.admin, json: Self.body(secret: "a-different-secret"), headers: key)
            #expect(otherSecret.status == 409, "\(otherSecret)")
            #expect(otherSecret.errorCode == "idempotency_key_reused")
            #expect(try await f.api.credentials.unseal(name: "github")?.secret == Secret(Self.secret))
            let otherName = try await f.post("/v1/credentials", as: f.admin, json: Self.body(name: "other"), headers: key)
            #expect(otherName.status == 409 && otherName.errorCode == "idempotency_key_reused")
            let otherRoute = try await f.post("/v1/sessions", as: f.admin, json: "{}", headers: key)
            #expect(otherRoute.status == 409 && otherRoute.errorCode == "idempotency_key_reused")

            #expect(try await f.send("DELETE", "/v1/credentials/\(first.id)", as: f.admin).status == 200)
            let afterDelete = try await f.post("/v1/credentials", as: f.admin, json: Self.body(), headers: key)
            #expect(afterDelete.status == 409 && afterDelete.errorCode == "idempotency_key_reused")
            #expect(try await f.count("credentials") == 0)

            let invalid = try await f.post("/v1/credentials", as: f.admin, json: Self.body(), headers: [("Idempotency-Key", "has space")])
            #expect(invalid.status == 400 && invalid.errorCode == "invalid_idempotency_key")
            #expect(try await f.count("credentials") == 0)

            // Keys are per API key: another admin's same key is a new request.
            let (other, otherSecretKey) = try await f.core.write { tx in try tx.createKey(role: .admin, name: "second admin", createdBy: nil) }
            let otherAdmin = TestKey(id: other.id, secret: otherSecretKey, role: .admin)
            let fresh = try await f.post("/v1/credentials", as: otherAdmin, json: Self.body(), headers: key)
            #expect(fresh.status == 201 && fresh.headers["Idempotent-Replayed"] == nil)
        }
    }

    /// Model keys come from warden's environment: listed like the rest, not creatable over the
    /// API, deletable (warden stores them again at its next start if the variable is still set).
    @Test func modelKeysAreListedAndDeletableButNotCreatable() async throws {
        try await withFixture { f in
            let model = try await f.api.credentials.storeModelKey(provider: .anthropic, secret: Secret(Self.secret))
            let list = try await f.get("/v1/credentials", as: f.admin)
            #expect(list.ids == [model.id])
            #expect(list.json["data"]?[0]?["name"]?.string == "model:anthropic")
            #expect(!list.text.contains(Self.secret))
            let create = try await f.post("/v1/credentials", as: f.admin, json: Self.body(name: "model:anthropic"))
            #expect(create.status == 400 && create.errorCode == "reserved_name")
            #expect(try await f.api.credentials.unseal(name: "model:anthropic")?.secret == Secret(Self.secret))
            #expect(try await f.send("DELETE", "/v1/credentials/\(model.id)", as: f.admin).status == 200)
            #expect(try await f.count("credentials") == 0)
        }
    }

    @Test func listsPageLikeEveryOtherList() async throws {
        try await withFixture { f in
            var ids: [String] = []
            for n in 0..<5 { ids.append(try await f.post("/v1/credentials", as: f.admin, json: Self.body(name: "c\(n)")).id) }
            let newest = try await f.get("/v1/credentials?limit=2", as: f.admin)
            #expect(newest.ids == [ids[4], ids[3]] && newest.json["has_more"]?.bool == true)
            #expect(newest.json["first_id"]?.string == ids[4] && newest.json["last_id"]?.string == ids[3])
            let next = try await f.get("/v1/credentials?limit=2&after=\(ids[3])", as: f.admin)
            #expect(next.ids == [ids[2], ids[1]] && next.json["has_more"]?.bool == true)
            let last = try await f.get("/v1/credentials?limit=2&after=\(ids[1])", as: f.admin)
            #expect(last.ids == [ids[0]] && last.json["has_more"]?.bool == false)
            let back = try await f.get("/v1/credentials?limit=2&before=\(ids[2])", as: f.admin)
            #expect(back.ids == [ids[4], ids[3]] && back.json["has_more"]?.bool == false)
            let ascending = try await f.get("/v1/credentials?limit=3&order=asc", as: f.admin)
            #expect(ascending.ids == Array(ids[0..<3]) && ascending.json["has_more"]?.bool == true)
            let ascBack = try await f.get("/v1/credentials?order=asc&before=\(ids[4])&limit=2", as: f.admin)
            #expect(ascBack.ids == [ids[2], ids[3]] && ascBack.json["has_more"]?.bool == true)
            let empty = try await f.get("/v1/credentials?after=\(ids[0])", as: f.admin)
            #expect(empty.ids.isEmpty && empty.json["first_id"]?.isNull == true)
            #expect(try await f.get("/v1/credentials?limit=101", as: f.admin).errorParam == "limit")
        }
    }

    /// A router built without a vault still serves the routes (the OpenAPI parity test builds one),
    /// but says plainly that there is nothing behind them.
    @Test func withoutAVaultTheRoutesAnswer503() async throws {
        try await withFixture { f in
            let router = APIRouter.make(core: f.core, logger: Logger(label: "test"))
            let request = Request(method: "GET", target: .origin(path: "/v1/credentials", query: nil),
                                  headers: ["Host": "localhost", "Authorization": "Bearer \(f.admin.secret)"],
                                  body: [], requestID: "req_test")
            guard case .async(let handle) = router.handle(request) else { Issue.record("not async"); return }
            let response = await handle()
            #expect(response.status.code == 503)
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first && Array(haystack[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }
}
