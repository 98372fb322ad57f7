import ChannelTestSupport
import Core
import CredentialProxy
import Foundation
import Testing
@testable import API

/// One chat platform as its webhook tests need it: how to configure a channel, how the platform
/// signs a delivery (and how a forger or a replayer would), and deliveries shaped exactly like the
/// platform's documentation (ChannelTestSupport's payloads).
struct WebhookPlatform: Sendable, CustomTestStringConvertible {
    /// A request to the webhook route: its body and headers.
    struct Delivery: Sendable {
        var body: [UInt8]
        var headers: [(String, String)]
    }

    let name: String
    /// The `POST /v1/channels` body, given the verification credential's id (when the platform needs one).
    let channelJSON: @Sendable (_ context: PlatformContext) -> String
    /// A validly signed delivery of `body`; `delivery` is the delivery id where a header carries it.
    let sign: @Sendable (_ body: String, _ delivery: String, _ context: PlatformContext) -> Delivery
    /// The same, signed with a key or secret that is not the channel's.
    let forge: @Sendable (_ body: String, _ context: PlatformContext) -> Delivery
    /// The header whose absence makes a delivery unverifiable.
    let authHeader: String
    /// A delivery signed validly but too long ago; nil for platforms that sign no time.
    let stale: (@Sendable (_ context: PlatformContext) -> Delivery)?
    /// A person's message; a second message in the same thread; the platform's message id of the first.
    let message: String
    let sameThread: String
    let externalID: String
    let author: String

    var testDescription: String { name }
}

/// What a platform's channel is configured with in one test.
struct PlatformContext: Sendable {
    let verificationCredentialID: String?
    let verifyTokenCredentialID: String?
    let keySetURL: String
    let openIDURL: String

    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let wrongSecret = "not-the-signing-secret-0000000000"
    static let verifyToken = "meatyhamhock"
    static let discordKey = TestEd25519Key()
    static let otherDiscordKey = TestEd25519Key()
    static let teamsAppID = "c9e8c047-2a74-40a2-b28a-b162d5f5327c"
    static let googleProject = "1234567890"
}

extension WebhookPlatform {
    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    static let slack = WebhookPlatform(
        name: "slack",
        channelJSON: { c in
            #"{"platform":"slack","name":"eng","verification_credential_id":"\#(c.verificationCredentialID!)","# +
                #""settings":{"bot_ids":["\#(SlackPayloads.botUserID)","\#(SlackPayloads.botID)","\#(SlackPayloads.appID)"]}}"#
        },
        sign: { body, _, _ in slackSigned(body, secret: PlatformContext.secret, at: now()) },
        forge: { body, _ in slackSigned(body, secret: PlatformContext.wrongSecret, at: now()) },
        authHeader: "X-Slack-Signature",
        stale: { _ in slackSigned(SlackPayloads.appMention, secret: PlatformContext.secret, at: now() - 301) },
        message: SlackPayloads.appMention,
        sameThread: SlackPayloads.appMention.replacingOccurrences(of: "Ev123ABC456", with: "Ev999THREAD1")
            .replacingOccurrences(of: #""ts": "1515449522.000016""#,
                                  with: #""ts": "1515449600.000100", "thread_ts": "1515449522.000016""#),
        externalID: "C123ABC456:1515449522.000016", author: "U061F7AUR")

    static func slackSigned(_ body: String, secret: String, at time: Int) -> Delivery {
        let signature = TestHMAC.sha256Hex(key: secret, message: Array("v0:\(time):\(body)".utf8))
        return Delivery(body: Array(body.utf8), headers: [("X-Slack-Signature", "v0=\(signature)"),
                                                          ("X-Slack-Request-Timestamp", "\(time)")])
    }

    static let telegram = WebhookPlatform(
        name: "telegram",
        channelJSON: { c in
            #"{"platform":"telegram","name":"ops","verification_credential_id":"\#(c.verificationCredentialID!)","# +
                #""sessions_policy":"channel","settings":{"bot_ids":["\#(TelegramPayloads.botUserID)"],"bot_handles":["\#(TelegramPayloads.botUsername)"]}}"#
        },
        sign: { body, _, _ in Delivery(body: Array(body.utf8), headers: [("X-Telegram-Bot-Api-Secret-Token", PlatformContext.secret)]) },
        forge: { body, _ in Delivery(body: Array(body.utf8), headers: [("X-Telegram-Bot-Api-Secret-Token", PlatformContext.wrongSecret)]) },
        authHeader: "X-Telegram-Bot-Api-Secret-Token",
        stale: nil,
        message: TelegramPayloads.groupMention,
        // Another message in the same chat: one session per channel (the chat).
        sameThread: TelegramPayloads.groupMention.replacingOccurrences(of: "646911460", with: "646911499")
            .replacingOccurrences(of: #""message_id": 2241"#, with: #""message_id": 2299"#),
        externalID: "-1001234567890:2241", author: "1111111")

    static let discord = WebhookPlatform(
        name: "discord",
        channelJSON: { _ in
            #"{"platform":"discord","name":"guild","settings":{"public_key":"\#(PlatformContext.discordKey.publicKeyHex)","# +
                #""bot_ids":["\#(DiscordPayloads.applicationID)"]}}"#
        },
        sign: { body, _, _ in discordSigned(body, key: PlatformContext.discordKey, at: now()) },
        forge: { body, _ in discordSigned(body, key: PlatformContext.otherDiscordKey, at: now()) },
        authHeader: "X-Signature-Ed25519",
        stale: { _ in discordSigned(DiscordPayloads.askCommand, key: PlatformContext.discordKey, at: now() - 301) },
        message: DiscordPayloads.askCommand,
        sameThread: DiscordPayloads.askCommand.replacingOccurrences(of: "786008729715212338", with: "786008729715212999"),
        externalID: "786008729715212338", author: "53908232506183680")

    static func discordSigned(_ body: String, key: TestEd25519Key, at time: Int) -> Delivery {
        Delivery(body: Array(body.utf8), headers: [("X-Signature-Ed25519", key.signatureHex(Array("\(time)\(body)".utf8))),
                                                   ("X-Signature-Timestamp", "\(time)")])
    }

    static let whatsapp = WebhookPlatform(
        name: "whatsapp",
        channelJSON: { c in
            #"{"platform":"whatsapp","name":"support","verification_credential_id":"\#(c.verificationCredentialID!)","# +
                #""settings":{"verify_token_credential_id":"\#(c.verifyTokenCredentialID!)","bot_ids":["\#(WhatsAppPayloads.phoneNumberID)"]}}"#
        },
        sign: { body, _, _ in hubSigned(body, secret: PlatformContext.secret, extra: []) },
        forge: { body, _ in hubSigned(body, secret: PlatformContext.wrongSecret, extra: []) },
        authHeader: "X-Hub-Signature-256",
        stale: nil,
        message: WhatsAppPayloads.notification(messages: WhatsAppPayloads.textMessage),
        sameThread: WhatsAppPayloads.notification(messages: WhatsAppPayloads.replyMessage),
        externalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", author: "16505551234")

    static func hubSigned(_ body: String, secret: String, extra: [(String, String)]) -> Delivery {
        let signature = TestHMAC.sha256Hex(key: secret, message: Array(body.utf8))
        return Delivery(body: Array(body.utf8), headers: [("X-Hub-Signature-256", "sha256=\(signature)")] + extra)
    }

    static let github = WebhookPlatform(
        name: "github",
        channelJSON: { c in
            #"{"platform":"github","name":"repo","verification_credential_id":"\#(c.verificationCredentialID!)","# +
                #""settings":{"bot_ids":["\#(GitHubPayloads.botLogin)","\#(GitHubPayloads.botUserID)"]}}"#
        },
        sign: { body, delivery, _ in hubSigned(body, secret: PlatformContext.secret, extra: githubHeaders(delivery)) },
        forge: { body, _ in hubSigned(body, secret: PlatformContext.wrongSecret, extra: githubHeaders("forged")) },
        authHeader: "X-Hub-Signature-256",
        stale: nil,
        message: GitHubPayloads.issueComment(body: "@warden-app[bot] why does CI fail?"),
        sameThread: GitHubPayloads.issueComment(body: "and on main?").replacingOccurrences(of: "1146825", with: "1146999"),
        externalID: "comment:1146825", author: "1")

    static func githubHeaders(_ delivery: String) -> [(String, String)] {
        [("X-GitHub-Event", "issue_comment"), ("X-GitHub-Delivery", delivery), ("User-Agent", "GitHub-Hookshot/044aadd")]
    }

    static let linear = WebhookPlatform(
        name: "linear",
        channelJSON: { c in
            #"{"platform":"linear","name":"issues","verification_credential_id":"\#(c.verificationCredentialID!)","# +
                #""settings":{"bot_ids":["\#(LinearPayloads.appUserID)"]}}"#
        },
        sign: { body, delivery, _ in linearSigned(body, secret: PlatformContext.secret, delivery: delivery) },
        forge: { body, _ in linearSigned(body, secret: PlatformContext.wrongSecret, delivery: "forged") },
        authHeader: "Linear-Signature",
        stale: { _ in
            linearSigned(LinearPayloads.commentCreate(body: "late"), secret: PlatformContext.secret, delivery: "late",
                         freshTimestamp: false)
        },
        message: LinearPayloads.commentCreate(body: "@warden look at this"),
        // A reply to the first comment: data.id (its first `"id"` of that value) is the reply's own.
        sameThread: LinearPayloads.commentCreate(body: "and this", parentID: "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9")
            .replacingFirst(#""id": "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9""#, with: #""id": "99999999-f7c8-44e3-bbf3-2d60b5ea8bc9""#),
        externalID: "comment:2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9", author: "4f4b6b1c-2f0a-4d1f-a6b5-5b0b5c1e6a11")

    /// Linear signs a body whose `webhookTimestamp` (ms) must be within 60 s of now.
    static func linearSigned(_ body: String, secret: String, delivery: String, freshTimestamp: Bool = true) -> Delivery {
        let millis = freshTimestamp ? Int(Date().timeIntervalSince1970 * 1000) : 1728396449562
        let body = body.replacingOccurrences(of: "1728396449562", with: "\(millis)")
        let signature = TestHMAC.sha256Hex(key: secret, message: Array(body.utf8))
        return Delivery(body: Array(body.utf8), headers: [("Linear-Signature", signature), ("Linear-Delivery", delivery),
                                                          ("Linear-Event", "Comment")])
    }

    static let teams = WebhookPlatform(
        name: "teams",
        channelJSON: { c in
            #"{"platform":"teams","name":"team","settings":{"app_id":"\#(PlatformContext.teamsAppID)","# +
                #""openid_configuration_url":"\#(c.openIDURL)","bot_ids":["\#(TeamsPayloads.botID)"]}}"#
        },
        sign: { body, _, _ in bearer(body, key: .first, claims: teamsClaims(exp: now() + 300)) },
        forge: { body, _ in bearer(body, key: .second, claims: teamsClaims(exp: now() + 300)) },
        authHeader: "Authorization",
        stale: { _ in bearer(TeamsPayloads.channelMention, key: .first, claims: teamsClaims(exp: now() - 3600)) },
        message: TeamsPayloads.channelMention,
        sameThread: TeamsPayloads.channelMention.replacingOccurrences(of: #""id": "1485983408511","#,
                                                                      with: #""id": "1485983409999","#),
        externalID: "19:253b1f341670408fb6fe17a9ff5a9c5c@thread.tacv2:1485983408511", author: "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw")

    static func teamsClaims(exp: Int) -> [String: Any] {
        ["iss": "https://api.botframework.com", "aud": PlatformContext.teamsAppID, "exp": exp, "nbf": exp - 3600,
         "serviceurl": "https://smba.trafficmanager.net/amer/"]
    }

    static let googleChat = WebhookPlatform(
        name: "google_chat",
        channelJSON: { c in
            #"{"platform":"google_chat","name":"space","settings":{"audience":"\#(PlatformContext.googleProject)","# +
                #""key_set_url":"\#(c.keySetURL)","bot_ids":["\#(GoogleChatPayloads.botName)"]}}"#
        },
        sign: { body, _, _ in bearer(body, key: .first, claims: googleClaims(exp: now() + 300)) },
        forge: { body, _ in bearer(body, key: .second, claims: googleClaims(exp: now() + 300)) },
        authHeader: "Authorization",
        stale: { _ in bearer(GoogleChatPayloads.mention, key: .first, claims: googleClaims(exp: now() - 3600)) },
        message: GoogleChatPayloads.mention,
        sameThread: GoogleChatPayloads.mention.replacingOccurrences(of: "messages/CCCCCCCCCCC.CCCCCCCCCCC",
                                                                    with: "messages/CCCCCCCCCCC.DDDDDDDDDDD"),
        externalID: "spaces/AAAAAAAAAAA/messages/CCCCCCCCCCC.CCCCCCCCCCC", author: "users/12345678901234567890")

    static func googleClaims(exp: Int) -> [String: Any] {
        ["iss": "chat@system.gserviceaccount.com", "aud": PlatformContext.googleProject, "exp": exp, "iat": exp - 3600]
    }

    /// Teams and Google Chat: an RS256 JWT in `Authorization`, from the key published as `k1`.
    static func bearer(_ body: String, key: TestRSAKey, claims: [String: Any]) -> Delivery {
        Delivery(body: Array(body.utf8), headers: [("Authorization", "Bearer \(TestJWT.rs256(claims, kid: "k1", key: key))")])
    }

    static let all: [WebhookPlatform] = [.slack, .telegram, .discord, .whatsapp, .github, .linear, .teams, .googleChat]
}

extension APIFixture {
    /// A credential holding `secret`, made through the vault as `POST /v1/credentials` would.
    func channelCredential(_ secret: String) async throws -> String {
        let spec = CredentialSpec(name: "channel-\(UUID().uuidString.prefix(8))", hosts: ["hooks.example.com"],
                                  inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"))
        return try await api.credentials.put(spec, secret: Secret(secret), actor: nil).id
    }

    func deliver(_ platform: String, _ channel: String, _ delivery: WebhookPlatform.Delivery,
                 method: String = "POST", query: String = "") async throws -> Reply {
        try await send(method, "/webhooks/\(platform)/\(channel)\(query)", as: nil, body: delivery.body,
                       headers: delivery.headers)
    }

    /// Everything a delivery could write, to compare before and after one that must write nothing.
    func inboundState() async throws -> String {
        var counts: [String] = []
        for table in ["sessions", "messages", "runs", "events", "channel_deliveries", "channel_messages", "channel_threads"] {
            counts.append("\(table)=\(try await count(table))")
        }
        return counts.joined(separator: " ")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
