import ChannelTestSupport
import CredentialProxy
import Foundation
import Testing
@testable import API

/// `/v1/channels`: what a channel needs per platform, credentials by id, and that a refusal
/// stores nothing.
@Suite struct ChannelTests {
    static let discordKey = String(repeating: "ab", count: 32)

    @Test func createListGetAndDelete() async throws {
        try await withFixture { f in
            let secret = try await f.channelCredential("signing-secret")
            let bot = try await f.channelCredential("xoxb-token")
            let created = try await f.post("/v1/channels", as: f.admin, json: """
                {"platform":"slack","name":"eng","verification_credential_id":"\(secret)","bot_credential_id":"\(bot)",
                 "sessions_policy":"user","approvers":["U1","U2","U1"],"settings":{"bot_ids":["U0BOT"]}}
                """)
            #expect(created.status == 201, "\(created)")
            let id = created.id
            #expect(id.hasPrefix("chn_"))
            #expect(created.json["object"]?.string == "channel")
            #expect(created.json["platform"]?.string == "slack")
            #expect(created.json["sessions_policy"]?.string == "user")
            #expect(created.json["approvers"] == .array([.string("U1"), .string("U2")]), "duplicates dropped")
            #expect(created.json["verification_credential_id"]?.string == secret)
            #expect(!created.text.contains("signing-secret") && !created.text.contains("xoxb-token"), "no secret in a response")

            let got = try await f.get("/v1/channels/\(id)", as: f.admin)
            #expect(got.status == 200 && got.body == created.body)
            #expect(try await f.get("/v1/channels", as: f.admin).ids == [id])
            #expect(try await f.count("audit", where: "kind = 'channel.created'") == 1)

            let deleted = try await f.send("DELETE", "/v1/channels/\(id)", as: f.admin)
            #expect(deleted.status == 200)
            #expect(deleted.json["deleted"]?.bool == true)
            #expect(try await f.get("/v1/channels/\(id)", as: f.admin).status == 404)
            #expect(try await f.send("DELETE", "/v1/channels/\(id)", as: f.admin).errorCode == "channel_not_found")
        }
    }

    /// Teams and Google Chat have no bot token to store: their bot credential must be one that
    /// is exchanged for tokens, and the right kind; anything else is refused and stores nothing.
    @Test(arguments: [
        ("teams", #""settings":{"app_id":"app-1"}"#, CredentialExchange.oauthClientCredentials(
            tokenURL: "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token", clientID: "app-1", scope: nil)),
        ("google_chat", #""settings":{"audience":"123456789012"}"#, CredentialExchange.googleServiceAccount(
            scope: "https://www.googleapis.com/auth/chat.bot")),
    ])
    func teamsAndGoogleChatBotCredentialsMustBeExchangedForTokens(platform: String, settings: String,
                                                                  exchange: CredentialExchange) async throws {
        try await withFixture { f in
            let plain = try await f.channelCredential("a-static-token")
            let wrongKind = try await f.api.credentials.put(
                CredentialSpec(name: "other-\(platform)", hosts: ["hooks.example.com"],
                               inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                               exchange: exchange.kind == CredentialExchange.oauthClientCredentialsKind
                                   ? .googleServiceAccount(scope: "s")
                                   : .oauthClientCredentials(tokenURL: "https://hooks.example.com/token", clientID: "c", scope: nil)),
                secret: Secret(exchange.kind == CredentialExchange.oauthClientCredentialsKind
                               ? TestRSAKey.first.serviceAccountJSON() : "s"), actor: nil).id
            for bad in [plain, wrongKind] {
                let refused = try await f.post("/v1/channels", as: f.admin, json: """
                    {"platform":"\(platform)","name":"x",\(settings),"bot_credential_id":"\(bad)"}
                    """)
                #expect(refused.status == 400, "\(refused)")
                #expect(refused.errorParam == "bot_credential_id")
                #expect(refused.text.contains(exchange.kind), "the message names the exchange to use: \(refused)")
            }
            #expect(try await f.count("channels", where: "1") == 0)
            let good = try await f.api.credentials.put(
                CredentialSpec(name: "bot-\(platform)", hosts: ["hooks.example.com"],
                               inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                               exchange: exchange),
                secret: Secret(exchange.kind == CredentialExchange.googleServiceAccountKind
                                   ? TestRSAKey.first.serviceAccountJSON() : "client-secret"), actor: nil).id
            let created = try await f.post("/v1/channels", as: f.admin, json: """
                {"platform":"\(platform)","name":"x",\(settings),"bot_credential_id":"\(good)"}
                """)
            #expect(created.status == 201, "\(created)")
        }
    }

    @Test func theDefaultSessionsPolicyIsOneSessionPerThread() async throws {
        try await withFixture { f in
            let created = try await f.post("/v1/channels", as: f.admin,
                                           json: #"{"platform":"discord","name":"g","settings":{"public_key":"\#(Self.discordKey)"}}"#)
            #expect(created.status == 201, "\(created)")
            #expect(created.json["sessions_policy"]?.string == "thread")
            #expect(created.json["verification_credential_id"]?.isNull == true)
        }
    }

    @Test func unusableFieldsAre400NamingTheFieldAndStoreNothing() async throws {
        try await withFixture { f in
            let secret = try await f.channelCredential("s")
            let cases: [(String, String)] = [
                (#"{"platform":"irc","name":"x"}"#, "platform"),
                (#"{"platform":"slack","name":"x"}"#, "verification_credential_id"),
                (#"{"platform":"slack","name":"x","verification_credential_id":"crd_00000000000000000000000000"}"#,
                 "verification_credential_id"),
                (#"{"platform":"slack","name":"x","verification_credential_id":"\#(secret)","bot_credential_id":"nope"}"#,
                 "bot_credential_id"),
                (#"{"platform":"discord","name":"x"}"#, "settings.public_key"),
                (#"{"platform":"discord","name":"x","settings":{"public_key":"abcd"}}"#, "settings.public_key"),
                (#"{"platform":"discord","name":"x","settings":{"public_key":"\#(String(repeating: "zz", count: 32))"}}"#,
                 "settings.public_key"),
                (#"{"platform":"teams","name":"x"}"#, "settings.app_id"),
                (#"{"platform":"teams","name":"x","settings":{"app_id":"a","openid_configuration_url":"http://example.com/"}}"#,
                 "settings.openid_configuration_url"),
                (#"{"platform":"google_chat","name":"x","settings":{"audience":"not a number"}}"#, "settings.audience"),
                (#"{"platform":"whatsapp","name":"x","verification_credential_id":"\#(secret)"}"#,
                 "settings.verify_token_credential_id"),
                (#"{"platform":"whatsapp","name":"x","verification_credential_id":"\#(secret)","settings":{"verify_token_credential_id":"crd_00000000000000000000000000"}}"#,
                 "settings.verify_token_credential_id"),
                (#"{"platform":"discord","name":"","settings":{"public_key":"\#(Self.discordKey)"}}"#, "name"),
                (#"{"platform":"discord","name":"a\nb","settings":{"public_key":"\#(Self.discordKey)"}}"#, "name"),
                (#"{"platform":"discord","name":"x","sessions_policy":"team","settings":{"public_key":"\#(Self.discordKey)"}}"#,
                 "sessions_policy"),
                (#"{"platform":"discord","name":"x","approvers":["U 1"],"settings":{"public_key":"\#(Self.discordKey)"}}"#,
                 "approvers[0]"),
                (#"{"platform":"discord","name":"x","settings":{"public_key":"\#(Self.discordKey)","bot_ids":"U1"}}"#,
                 "settings.bot_ids"),
                (#"{"platform":"discord","name":"x","settings":[]}"#, "settings"),
                (#"{"platform":"discord","name":"x","settings":{"public_key":"\#(Self.discordKey)","api_base_url":"http://slack.example.com"}}"#,
                 "settings.api_base_url"),
                (#"{"platform":"discord","name":"x","settings":{"public_key":"\#(Self.discordKey)","api_base_url":"https://ghe.example.com/api/v3"}}"#,
                 "settings.api_base_url"),
                (#"{"platform":"discord","name":"x","settings":{"public_key":"\#(Self.discordKey)","api_base_url":7}}"#,
                 "settings.api_base_url"),
            ]
            let before = "\(try await f.count("channels")) \(try await f.count("audit"))"
            for (json, param) in cases {
                let reply = try await f.post("/v1/channels", as: f.admin, json: json)
                #expect(reply.status == 400, "\(json): \(reply)")
                #expect(reply.errorParam == param, "\(json): \(reply)")
            }
            #expect("\(try await f.count("channels")) \(try await f.count("audit"))" == before)
        }
    }

    @Test func aCredentialAChannelUsesCannotBeDeleted() async throws {
        try await withFixture { f in
            let secret = try await f.channelCredential("signing-secret")
            let channel = try await f.post("/v1/channels", as: f.admin,
                                           json: #"{"platform":"telegram","name":"t","verification_credential_id":"\#(secret)"}"#).id
            let refused = try await f.send("DELETE", "/v1/credentials/\(secret)", as: f.admin)
            #expect(refused.status == 409, "\(refused)")
            #expect(refused.errorCode == "credential_in_use")
            #expect(try await f.count("credentials", where: "id = ?", [.text(secret)]) == 1)
            #expect(try await f.send("DELETE", "/v1/channels/\(channel)", as: f.admin).status == 200)
            #expect(try await f.send("DELETE", "/v1/credentials/\(secret)", as: f.admin).status == 200)
        }
    }

    @Test func anIdempotentReplayReturnsTheSameChannel() async throws {
        try await withFixture { f in
            let json = #"{"platform":"discord","name":"g","settings":{"public_key":"\#(Self.discordKey)"}}"#
            let first = try await f.post("/v1/channels", as: f.admin, json: json, headers: [("Idempotency-Key", "chn-1")])
            let replay = try await f.post("/v1/channels", as: f.admin, json: json, headers: [("Idempotency-Key", "chn-1")])
            #expect(first.status == 201 && replay.status == 201)
            #expect(replay.body == first.body)
            #expect(replay.headers["Idempotent-Replayed"] == "true")
            #expect(try await f.count("channels") == 1)
        }
    }
}
