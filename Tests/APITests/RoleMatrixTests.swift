import Foundation
import Testing
@testable import API
@testable import Core
import CredentialProxy
import HTTP
import Store

/// One API route, the roles SPEC §3 (and `Access`) let through, and how to build a request
/// that succeeds for a role that is allowed. Resources are created for the calling key, so a
/// refusal can only come from the role, never from ownership.
struct Endpoint: Sendable, CustomTestStringConvertible {
    let method: String
    let template: String
    let allowed: Set<Role>
    let success: Int
    let prepare: @Sendable (APIFixture, TestKey) async throws -> (path: String, json: String?)
    /// What a refused call must leave unchanged, as text to compare before and after it.
    var state: (@Sendable (APIFixture, _ path: String) async throws -> String)?

    var testDescription: String { "\(method) \(template)" }
    var route: String { "\(method) \(template)" }

    static let all: [Endpoint] = [
        Endpoint(method: "POST", template: "/v1/sessions", allowed: [.admin, .operator, .client], success: 201,
                 prepare: { _, _ in ("/v1/sessions", "{}") },
                 state: { f, _ in "\(try await f.count("sessions"))" }),
        Endpoint(method: "GET", template: "/v1/sessions", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { _, _ in ("/v1/sessions", nil) }),
        Endpoint(method: "GET", template: "/v1/sessions/{id}", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))", nil) }),
        Endpoint(method: "PATCH", template: "/v1/sessions/{id}", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))", #"{"title":"renamed"}"#) },
                 state: { f, path in "\(try await f.core.sessionRecord(String(path.split(separator: "/")[2]))!)" }),
        Endpoint(method: "DELETE", template: "/v1/sessions/{id}", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))", nil) },
                 state: { f, path in "\(try await f.core.sessionRecord(String(path.split(separator: "/")[2]))!)" }),
        Endpoint(method: "POST", template: "/v1/sessions/{id}/messages", allowed: [.admin, .operator, .client], success: 201,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))/messages", #"{"content":"hi"}"#) },
                 state: { f, path in
                     let id = String(path.split(separator: "/")[2])
                     return "\(try await f.storedEvents(id)) \(try await f.count("messages")) \(try await f.count("runs"))"
                 }),
        Endpoint(method: "GET", template: "/v1/sessions/{id}/messages", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))/messages", nil) }),
        Endpoint(method: "GET", template: "/v1/sessions/{id}/runs", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))/runs", nil) }),
        Endpoint(method: "GET", template: "/v1/runs/{id}", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/runs/\(try await run(f, key))", nil) }),
        Endpoint(method: "POST", template: "/v1/runs/{id}/cancel", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/runs/\(try await run(f, key))/cancel", nil) },
                 state: { f, path in "\(try await f.core.runRecord(String(path.split(separator: "/")[2]))!)" }),
        Endpoint(method: "GET", template: "/v1/approvals", allowed: [.admin, .operator, .approver], success: 200,
                 prepare: { _, _ in ("/v1/approvals", nil) }),
        Endpoint(method: "GET", template: "/v1/approvals/{id}", allowed: [.admin, .operator, .approver], success: 200,
                 prepare: { f, key in ("/v1/approvals/\(try await approval(f, key))", nil) }),
        Endpoint(method: "POST", template: "/v1/approvals/{id}/decision", allowed: [.admin, .approver], success: 200,
                 prepare: { f, key in ("/v1/approvals/\(try await approval(f, key))/decision", #"{"decision":"approve"}"#) },
                 state: { f, path in "\(try await f.core.approval(String(path.split(separator: "/")[2]))!)" }),
        Endpoint(method: "GET", template: "/v1/sessions/{id}/events", allowed: [.admin, .operator, .approver, .client],
                 success: 200, prepare: { f, key in ("/v1/sessions/\(try await session(f, key))/events", nil) }),
        Endpoint(method: "GET", template: "/v1/events", allowed: [.admin, .approver], success: 200,
                 prepare: { _, _ in ("/v1/events", nil) }),
        Endpoint(method: "POST", template: "/v1/keys", allowed: [.admin], success: 201,
                 prepare: { _, _ in ("/v1/keys", #"{"role":"client","name":"made in the matrix"}"#) },
                 state: { f, _ in "\(try await f.count("api_keys")) \(try await f.count("audit"))" }),
        Endpoint(method: "GET", template: "/v1/keys", allowed: [.admin], success: 200,
                 prepare: { _, _ in ("/v1/keys", nil) }),
        Endpoint(method: "DELETE", template: "/v1/keys/{id}", allowed: [.admin], success: 200,
                 prepare: { f, _ in
                     let (key, _) = try await f.core.write { tx in try tx.createKey(role: .client, name: "victim", createdBy: nil) }
                     return ("/v1/keys/\(key.id)", nil)
                 },
                 state: { f, path in "\(String(describing: try await f.core.key(String(path.split(separator: "/")[2]))))" }),
        Endpoint(method: "GET", template: "/v1/audit", allowed: [.admin], success: 200,
                 prepare: { _, _ in ("/v1/audit", nil) }),
        Endpoint(method: "GET", template: "/metrics", allowed: [.admin, .operator], success: 200,
                 prepare: { _, _ in ("/metrics", nil) }),
        Endpoint(method: "POST", template: "/v1/sessions/{id}/tasks", allowed: [.admin, .operator, .client], success: 201,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))/tasks",
                                       #"{"cron":"0 9 * * 1-5","timezone":"Europe/Berlin","prompt":"standup"}"#) },
                 state: { f, _ in "\(try await f.count("scheduled_tasks"))" }),
        Endpoint(method: "GET", template: "/v1/sessions/{id}/tasks", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/sessions/\(try await session(f, key))/tasks", nil) }),
        Endpoint(method: "DELETE", template: "/v1/tasks/{id}", allowed: [.admin, .operator, .client], success: 200,
                 prepare: { f, key in ("/v1/tasks/\(try await task(f, key))", nil) },
                 state: { f, _ in "\(try await f.count("scheduled_tasks"))" }),
        Endpoint(method: "POST", template: "/v1/credentials", allowed: [.admin], success: 201,
                 prepare: { _, _ in
                     ("/v1/credentials", #"{"name":"matrix-\#(UUID().uuidString.prefix(8))","hosts":["api.example.com"],"# +
                         #""inject":{"header":"Authorization","template":"Bearer {secret}"},"secret":"s3cret"}"#)
                 },
                 state: { f, _ in "\(try await f.count("credentials")) \(try await f.count("audit"))" }),
        Endpoint(method: "GET", template: "/v1/credentials", allowed: [.admin], success: 200,
                 prepare: { _, _ in ("/v1/credentials", nil) }),
        Endpoint(method: "DELETE", template: "/v1/credentials/{id}", allowed: [.admin], success: 200,
                 prepare: { f, _ in ("/v1/credentials/\(try await credential(f))", nil) },
                 state: { f, path in
                     let id = String(path.split(separator: "/")[2])
                     return "\(try await f.count("credentials", where: "id = ?", [.text(id)])) \(try await f.count("audit"))"
                 }),
        Endpoint(method: "POST", template: "/v1/rules", allowed: [.admin], success: 201,
                 prepare: { _, _ in ("/v1/rules", #"{"host":"*.example.com","methods":["GET"],"action":"allow"}"#) },
                 state: { f, _ in "\(try await f.count("egress_rules")) \(try await f.count("audit"))" }),
        Endpoint(method: "GET", template: "/v1/rules", allowed: [.admin, .operator], success: 200,
                 prepare: { _, _ in ("/v1/rules", nil) }),
        Endpoint(method: "DELETE", template: "/v1/rules/{id}", allowed: [.admin], success: 200,
                 prepare: { f, key in ("/v1/rules/\(try await rule(f, key))", nil) },
                 state: { f, path in
                     let id = String(path.split(separator: "/")[2])
                     return "\(try await f.count("egress_rules", where: "id = ?", [.text(id)])) \(try await f.count("audit"))"
                 }),
        Endpoint(method: "POST", template: "/v1/webhooks", allowed: [.admin], success: 201,
                 prepare: { _, _ in ("/v1/webhooks", #"{"url":"https://hooks.example.com/in","events":["run.completed"]}"#) },
                 state: { f, _ in "\(try await f.count("webhooks")) \(try await f.count("audit"))" }),
        Endpoint(method: "GET", template: "/v1/webhooks", allowed: [.admin], success: 200,
                 prepare: { _, _ in ("/v1/webhooks", nil) }),
        Endpoint(method: "GET", template: "/v1/webhooks/{id}", allowed: [.admin], success: 200,
                 prepare: { f, key in ("/v1/webhooks/\(try await webhook(f, key))", nil) }),
        Endpoint(method: "DELETE", template: "/v1/webhooks/{id}", allowed: [.admin], success: 200,
                 prepare: { f, key in ("/v1/webhooks/\(try await webhook(f, key))", nil) },
                 state: { f, path in
                     let id = String(path.split(separator: "/")[2])
                     return "\(try await f.count("webhooks", where: "id = ?", [.text(id)])) \(try await f.count("audit"))"
                 }),
        Endpoint(method: "GET", template: "/v1/webhooks/{id}/deliveries", allowed: [.admin], success: 200,
                 prepare: { f, key in ("/v1/webhooks/\(try await webhook(f, key))/deliveries", nil) }),
        Endpoint(method: "POST", template: "/v1/channels", allowed: [.admin], success: 201,
                 prepare: { _, _ in ("/v1/channels", #"{"platform":"discord","name":"matrix","settings":{"public_key":"\#(String(repeating: "ab", count: 32))"}}"#) },
                 state: { f, _ in "\(try await f.count("channels")) \(try await f.count("audit"))" }),
        Endpoint(method: "GET", template: "/v1/channels", allowed: [.admin], success: 200,
                 prepare: { _, _ in ("/v1/channels", nil) }),
        Endpoint(method: "GET", template: "/v1/channels/{id}", allowed: [.admin], success: 200,
                 prepare: { f, key in ("/v1/channels/\(try await channel(f, key))", nil) }),
        Endpoint(method: "GET", template: "/v1/channels/{id}/deliveries", allowed: [.admin], success: 200,
                 prepare: { f, key in ("/v1/channels/\(try await channel(f, key))/deliveries", nil) }),
        Endpoint(method: "DELETE", template: "/v1/channels/{id}", allowed: [.admin], success: 200,
                 prepare: { f, key in ("/v1/channels/\(try await channel(f, key))", nil) },
                 state: { f, path in
                     let id = String(path.split(separator: "/")[2])
                     return "\(try await f.count("channels", where: "id = ?", [.text(id)])) \(try await f.count("audit"))"
                 }),
    ]

    /// Routes that take no API key: health, and the chat platforms' webhooks (which verify the
    /// platform's signature instead; ChannelWebhookTests).
    static let unauthenticated: Set<String> = [
        "GET /healthz", "GET /readyz", "POST /webhooks/{platform}/{channel_id}", "GET /webhooks/{platform}/{channel_id}",
    ]

    static func channel(_ f: APIFixture, _ key: TestKey) async throws -> String {
        try await f.core.write { tx in
            try tx.createChannel(ChannelSpec(platform: "discord", name: "matrix",
                                             settings: .object(["public_key": .string(String(repeating: "ab", count: 32))])),
                                 actor: key.id).id
        }
    }


    static func webhook(_ f: APIFixture, _ key: TestKey) async throws -> String {
        let vault = f.api.credentials.vault
        return try await f.core.write { tx in
            try tx.createWebhook(WebhookSpec(url: "https://hooks.example.com/in", events: ["run.completed"]), sealer: vault,
                                 actor: key.id).0.id
        }
    }

    static func credential(_ f: APIFixture) async throws -> String {
        let spec = CredentialSpec(name: "matrix-\(UUID().uuidString.prefix(8))", hosts: ["api.example.com"],
                                  inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"))
        return try await f.api.credentials.put(spec, secret: Secret("s3cret"), actor: nil).id
    }

    static func rule(_ f: APIFixture, _ key: TestKey) async throws -> String {
        try await f.core.write { tx in try tx.createRule(RuleSpec(host: "api.example.com", action: "deny"), actor: key.id).id }
    }

    static func task(_ f: APIFixture, _ key: TestKey) async throws -> String {
        let session = try await session(f, key)
        return try await f.core.write { tx in
            try tx.createTask(session: session, cron: "@daily", timezone: "UTC", prompt: "p", actor: key.id).record.id
        }
    }

    static func session(_ f: APIFixture, _ key: TestKey) async throws -> String {
        try await f.core.write { tx in try tx.createSession(SessionInput(), owner: key.id).id }
    }

    static func run(_ f: APIFixture, _ key: TestKey) async throws -> String {
        let session = try await session(f, key)
        return try await f.core.write { tx in
            try tx.postMessage(IncomingMessage(content: [ContentBlock(text: "hi")]), to: session).1.id
        }
    }

    static func approval(_ f: APIFixture, _ key: TestKey) async throws -> String {
        try await f.requestApproval(try await session(f, key)).id
    }
}

@Suite struct RoleMatrixTests {
    /// The table covers every authenticated route the router serves, and nothing else.
    @Test func tableCoversEveryRoute() async throws {
        try await withFixture { f in
            let served = Set(f.api.routes.map { "\($0.method) \($0.template)" }).subtracting(Endpoint.unauthenticated)
            let table = Set(Endpoint.all.map(\.route))
            #expect(Endpoint.all.count == table.count, "no route listed twice")
            #expect(served.subtracting(table).isEmpty, "routes without a role-matrix row: \(served.subtracting(table).sorted())")
            #expect(table.subtracting(served).isEmpty, "rows for routes the server lacks: \(table.subtracting(served).sorted())")
        }
    }

    @Test(arguments: Endpoint.all)
    func everyRoleGetsWhatAccessAllows(_ endpoint: Endpoint) async throws {
        try await withFixture { f in
            for role in Role.allCases {
                let key = f.key(role)
                let (path, json) = try await endpoint.prepare(f, key)
                let before = try await endpoint.state?(f, path)
                let reply = try await f.sendMaybeStreaming(endpoint.method, path, as: key, json: json)
                if endpoint.allowed.contains(role) {
                    #expect(reply.status == endpoint.success, "\(endpoint.route) as \(role): \(reply)")
                } else {
                    #expect(reply.status == 403, "\(endpoint.route) as \(role): \(reply)")
                    #expect(reply.errorType == "permission", "\(endpoint.route) as \(role): \(reply)")
                    #expect(reply.json["request_id"]?.string?.hasPrefix("req_") == true)
                    #expect(reply.json["error"]?["message"]?.string?.isEmpty == false)
                    let after = try await endpoint.state?(f, path)
                    #expect(before == after, "a refused \(endpoint.route) as \(role) changed nothing")
                }
            }
        }
    }

    @Test(arguments: Endpoint.all)
    func missingMalformedUnknownAndRevokedKeysAre401(_ endpoint: Endpoint) async throws {
        try await withFixture { f in
            // A throwaway admin key, revoked through the API: admin would otherwise pass every route.
            let created = try await f.post("/v1/keys", as: f.admin, json: #"{"role":"admin","name":"soon revoked"}"#)
            #expect(created.status == 201)
            let revoked = TestKey(id: created.id, secret: created.json["key"]?.string ?? "", role: .admin)
            let revocation = try await f.send("DELETE", "/v1/keys/\(revoked.id)", as: f.admin)
            #expect(revocation.status == 200)

            let (path, json) = try await endpoint.prepare(f, f.admin)
            let before = try await endpoint.state?(f, path)
            let cases: [(String, [(String, String)], TestKey?)] = [
                ("no Authorization", [], nil),
                ("Basic scheme", [("Authorization", "Basic YWRtaW46YWRtaW4=")], nil),
                ("scheme only", [("Authorization", "Bearer")], nil),
                ("token scheme", [("Authorization", "Token \(f.admin.secret)")], nil),
                ("oversized token", [("Authorization", "Bearer wk_" + String(repeating: "a", count: 300))], nil),
                ("unknown key", [("Authorization", "Bearer wk_this_key_was_never_issued_000000000000")], nil),
                ("revoked key", [], revoked),
            ]
            for (name, headers, key) in cases {
                let reply = try await f.sendMaybeStreaming(endpoint.method, path, as: key, json: json, headers: headers)
                #expect(reply.status == 401, "\(endpoint.route) with \(name): \(reply)")
                #expect(reply.errorType == "authentication", "\(endpoint.route) with \(name): \(reply)")
                #expect(reply.headers["WWW-Authenticate"] == "Bearer", "\(endpoint.route) with \(name)")
                #expect(reply.headers["Content-Type"] == "application/json")
            }
            let after = try await endpoint.state?(f, path)
            #expect(before == after, "unauthenticated calls to \(endpoint.route) changed nothing")
        }
    }

    @Test func healthRoutesNeedNoKey() async throws {
        try await withFixture { f in
            let health = try await f.get("/healthz", as: nil), ready = try await f.get("/readyz", as: nil)
            #expect(health.status == 200)
            #expect(ready.status == 200)
        }
    }

    /// A key created while the server runs (e.g. `warden keys create` in another process) works
    /// without a restart, and a key whose role is wrong for a route is refused the same way.
    @Test func keyAddedBehindTheServersBackAuthenticates() async throws {
        try await withFixture { f in
            // Written straight to the database, bypassing the in-memory key ring.
            let secret = KeyRing.generateSecret()
            try await f.core.database.write { db in
                try APIKeyRepository(db).insert(APIKeyRecord(id: "key_01TESTTESTTESTTESTTESTTEST", name: "cli", role: "operator",
                                                             prefix: String(secret.prefix(10)), hash: Crypto.sha256(secret),
                                                             createdBy: nil, createdAt: Timestamp.now(), revokedAt: nil))
            }
            let key = TestKey(id: "key_01TESTTESTTESTTESTTESTTEST", secret: secret, role: .operator)
            let sessions = try await f.get("/v1/sessions", as: key), keys = try await f.get("/v1/keys", as: key)
            #expect(sessions.status == 200)
            #expect(keys.status == 403)
        }
    }
}
