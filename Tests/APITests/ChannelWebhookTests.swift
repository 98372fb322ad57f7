import ChannelTestSupport
import Core
import Foundation
import Store
import Testing
@testable import API

/// The webhook route against the real server and a real database, per platform, with
/// deliveries shaped like the platforms' documentation and signed as the platforms sign.
@Suite struct ChannelWebhookTests {
    /// Runs `body` with a channel of `platform` configured through `POST /v1/channels`, and a
    /// JWKS server publishing the test RSA key for the token platforms.
    func withChannel(_ platform: WebhookPlatform,
                     _ body: (APIFixture, String, PlatformContext) async throws -> Void) async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "k1", endorsements: ["msteams"])]) { keys in
            try await withFixture { f in
                let context = PlatformContext(
                    verificationCredentialID: try await f.channelCredential(PlatformContext.secret),
                    verifyTokenCredentialID: try await f.channelCredential(PlatformContext.verifyToken),
                    keySetURL: keys.keySetURL, openIDURL: keys.openIDURL)
                let created = try await f.post("/v1/channels", as: f.admin, json: platform.channelJSON(context))
                #expect(created.status == 201, "\(created)")
                try await body(f, created.id, context)
            }
        }
    }

    @Test(arguments: WebhookPlatform.all)
    func aValidDeliveryCreatesOneMessageInTheMappedSession(_ platform: WebhookPlatform) async throws {
        try await withChannel(platform) { f, channel, context in
            let first = try await f.deliver(platform.name, channel, platform.sign(platform.message, "delivery-1", context))
            #expect((200...299).contains(first.status), "\(first)")
            let rows = try await f.core.read { db in
                try db.query("SELECT m.session_id, m.source, m.author, m.external_id, m.run_id, s.channel, s.owner_key_id FROM messages m JOIN sessions s ON s.id = m.session_id")
            }
            try #require(rows.count == 1)
            let row = rows[0]
            #expect(row.string("source") == platform.name)
            #expect(row.string("author") == platform.author)
            #expect(row.string("external_id") == platform.externalID)
            #expect(row.string("channel") == channel)
            #expect(row.string("owner_key_id") == channel, "the channel owns the sessions it creates")
            #expect(try await f.count("runs", where: "status = 'queued'") == 1, "the message queued its run")
            let session = row.string("session_id") ?? ""
            let events = try await f.storedEvents(session).map(\.type)
            #expect(events.contains("message.created") && events.contains("run.created"))

            // The same delivery again (a platform retry) stores nothing and is still acknowledged.
            let before = try await f.inboundState()
            let retry = try await f.deliver(platform.name, channel, platform.sign(platform.message, "delivery-1", context))
            #expect((200...299).contains(retry.status), "\(retry)")
            #expect(try await f.inboundState() == before, "a retried delivery creates nothing")

            // Another message of the same thread lands in the same session.
            let second = try await f.deliver(platform.name, channel, platform.sign(platform.sameThread, "delivery-2", context))
            #expect((200...299).contains(second.status), "\(second)")
            #expect(try await f.count("messages") == 2)
            #expect(try await f.count("messages", where: "session_id = ?", [.text(session)]) == 2)
            #expect(try await f.count("sessions") == 1)
        }
    }

    @Test(arguments: WebhookPlatform.all)
    func unverifiedOrUnreadableDeliveriesAreRefusedAndChangeNothing(_ platform: WebhookPlatform) async throws {
        try await withChannel(platform) { f, channel, context in
            let before = try await f.inboundState()
            var unsigned = platform.sign(platform.message, "delivery-x", context)
            unsigned.headers.removeAll { $0.0 == platform.authHeader }
            var cases: [(String, WebhookPlatform.Delivery, Set<Int>)] = [
                ("bad signature", platform.forge(platform.message, context), [401]),
                ("missing header", unsigned, [401]),
                ("malformed body", platform.sign("this is { not json", "delivery-y", context), [400]),
            ]
            if let stale = platform.stale { cases.append(("stale timestamp", stale(context), [401])) }
            for (name, delivery, statuses) in cases {
                let reply = try await f.deliver(platform.name, channel, delivery)
                #expect(statuses.contains(reply.status), "\(platform.name) \(name): \(reply)")
                #expect(reply.json["error"]?["code"]?.string?.isEmpty == false, "\(name) answers with the error envelope")
            }
            #expect(try await f.inboundState() == before, "refused deliveries write nothing")
        }
    }

    @Test func slackTwinsOfOneMessageCreateOne() async throws {
        try await withChannel(.slack) { f, channel, context in
            for body in [SlackPayloads.appMention, SlackPayloads.messageTwin] {
                let reply = try await f.deliver("slack", channel, WebhookPlatform.slack.sign(body, "", context))
                #expect(reply.status == 200, "\(reply)")
            }
            #expect(try await f.count("messages") == 1)
            #expect(try await f.count("channel_deliveries") == 2, "both delivery ids are remembered")
        }
    }

    @Test func handshakesAreAnsweredExactly() async throws {
        try await withChannel(.slack) { f, channel, context in
            let reply = try await f.deliver("slack", channel, WebhookPlatform.slack.sign(SlackPayloads.urlVerification, "", context))
            #expect(reply.status == 200)
            #expect(reply.text == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
            let unsigned = try await f.deliver("slack", channel, .init(body: Array(SlackPayloads.urlVerification.utf8), headers: []))
            #expect(unsigned.status == 401, "even the handshake is verified first")
        }
        try await withChannel(.discord) { f, channel, context in
            let reply = try await f.deliver("discord", channel, WebhookPlatform.discord.sign(DiscordPayloads.ping, "", context))
            #expect(reply.status == 200)
            #expect(reply.json == .object(["type": .integer(1)]), "\(reply)")
            #expect(reply.headers["Content-Type"] == "application/json")
        }
        try await withChannel(.github) { f, channel, context in
            var ping = WebhookPlatform.github.sign(GitHubPayloads.ping, "ping-1", context)
            ping.headers = ping.headers.map { $0.0 == "X-GitHub-Event" ? ($0.0, "ping") : $0 }
            let reply = try await f.deliver("github", channel, ping)
            #expect(reply.status == 200, "\(reply)")
            #expect(try await f.count("messages") == 0)
        }
        try await withChannel(.whatsapp) { f, channel, _ in
            let empty = WebhookPlatform.Delivery(body: [], headers: [])
            let ok = try await f.deliver("whatsapp", channel, empty, method: "GET",
                                         query: "?hub.mode=subscribe&hub.verify_token=\(PlatformContext.verifyToken)&hub.challenge=1158201444")
            #expect(ok.status == 200, "\(ok)")
            #expect(ok.text == "1158201444")
            let wrong = try await f.deliver("whatsapp", channel, empty, method: "GET",
                                            query: "?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
            #expect(wrong.status == 403, "\(wrong)")
            #expect(!wrong.text.contains("1158201444"))
        }
    }

    @Test func theBotsOwnMessageIsAcknowledgedAndIgnored() async throws {
        try await withChannel(.slack) { f, channel, context in
            let before = try await f.inboundState()
            let reply = try await f.deliver("slack", channel, WebhookPlatform.slack.sign(SlackPayloads.ownMessage, "", context))
            #expect(reply.status == 200, "\(reply)")
            #expect(try await f.inboundState() == before)
        }
    }

    @Test func unknownChannelsAndOtherPlatformsAre404() async throws {
        try await withChannel(.slack) { f, channel, context in
            let delivery = WebhookPlatform.slack.sign(SlackPayloads.appMention, "", context)
            for path in [("slack", "chn_00000000000000000000000000"), ("discord", channel), ("nosuch", channel), ("slack", "x")] {
                let reply = try await f.deliver(path.0, path.1, delivery)
                #expect(reply.status == 404, "\(path): \(reply)")
                #expect(reply.errorCode == "channel_not_found")
            }
            let get = try await f.deliver("slack", channel, delivery, method: "GET")
            #expect(get.status == 405, "Slack sends no GET: \(get)")
            #expect(try await f.count("messages") == 0)
        }
    }

    @Test func aDeletedChannelStopsTakingDeliveries() async throws {
        try await withChannel(.slack) { f, channel, context in
            #expect(try await f.send("DELETE", "/v1/channels/\(channel)", as: f.admin).status == 200)
            let reply = try await f.deliver("slack", channel, WebhookPlatform.slack.sign(SlackPayloads.appMention, "", context))
            #expect(reply.status == 404)
        }
    }

    /// A Slack button click, form-encoded as Slack sends interactions.
    static func slackClick(_ approval: String, decision: String = "approve") -> String {
        let json = SlackPayloads.blockActions(actionID: "\(decision):\(approval)")
        return "payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    @Test func aListedApproverDecidesFromChatAndOthersChangeNothing() async throws {
        try await withChannel(.slack) { f, unlisted, context in
            let listed = try await f.post("/v1/channels", as: f.admin, json: """
                {"platform":"slack","name":"approvers","verification_credential_id":"\(context.verificationCredentialID!)",
                 "approvers":["U123ABC456"]}
                """).id
            // The approval belongs to a session of the listed channel (made by a delivery to it).
            let mention = try await f.deliver("slack", listed, WebhookPlatform.slack.sign(SlackPayloads.appMention, "", context))
            #expect(mention.status == 200, "\(mention)")
            let session = try #require(try await f.core.read { db in
                try db.queryOne("SELECT id FROM sessions WHERE channel = ?", [.text(listed)])?.get("id", as: String.self)
            })
            let approval = try await f.requestApproval(session).id

            // An approver of this channel cannot release what an API client's agent holds.
            let elsewhere = try await f.requestApproval(try await f.createSession(as: f.operatorKey)).id
            var foreign = WebhookPlatform.slack.sign(Self.slackClick(elsewhere), "", context)
            foreign.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            #expect(try await f.deliver("slack", listed, foreign).status == 200)
            #expect(try await f.core.approval(elsewhere)?.status == "pending", "not this channel's session")

            var click = WebhookPlatform.slack.sign(Self.slackClick(approval), "", context)
            click.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            let ignored = try await f.deliver("slack", unlisted, click)
            #expect(ignored.status == 200, "\(ignored)")
            #expect(try await f.core.approval(approval)?.status == "pending", "not an approver of that channel")

            let decided = try await f.deliver("slack", listed, click)
            #expect(decided.status == 200, "\(decided)")
            let stored = try await f.core.approval(approval)
            #expect(stored?.status == "approved")
            #expect(stored?.decision?.by == "slack:U123ABC456")

            // A second click on a decided approval is acknowledged and changes nothing.
            var deny = WebhookPlatform.slack.sign(Self.slackClick(approval, decision: "deny"), "", context)
            deny.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            #expect(try await f.deliver("slack", listed, deny).status == 200)
            #expect(try await f.core.approval(approval)?.status == "approved")
        }
    }

    @Test func aStoreThatDoesNotAnswerIs503WithRetryAfter() async throws {
        try await withChannel(.slack) { f, channel, context in
            // The channel is cached by the first delivery; then the database goes away.
            _ = try await f.deliver("slack", channel, WebhookPlatform.slack.sign(SlackPayloads.urlVerification, "", context))
            await f.core.database.close()
            let reply = try await f.deliver("slack", channel, WebhookPlatform.slack.sign(SlackPayloads.appMention, "", context))
            #expect(reply.status == 503, "\(reply)")
            #expect(reply.headers["Retry-After"] == "1")
            #expect(reply.errorCode == "store_unavailable")
        }
    }
}
