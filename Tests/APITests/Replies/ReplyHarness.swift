import ChannelTestSupport
import Core
import CredentialProxy
import Foundation
import HTTP
@testable import Store
import Testing
import TestSupport
@testable import API
@testable import Channels

/// A Slack channel whose replies go to a `FakeSlackAPI`, through the credential proxy's outbound
/// client with a bot credential for 127.0.0.1, and a running `ChannelReplyService` with short
/// retry delays: what `warden serve` wires, with the platform on this machine.
struct ReplyHarness {
    static let botToken = "xoxb-real-bot-token-0123456789"
    static let placeholder = "xoxb-warden-placeholder"
    static let approver = "U123ABC456"

    let fixture: APIFixture
    let slack: FakeSlackAPI
    let channel: String
    let context: PlatformContext

    static func configuration(firstRetry: Duration = .milliseconds(20)) -> ChannelReplyConfiguration {
        var configuration = ChannelReplyConfiguration()
        configuration.retry = RetryPolicy(delays: [firstRetry, .milliseconds(20), .milliseconds(20)], jitter: 0)
        configuration.stopGrace = .seconds(2)
        return configuration
    }

    static func service(for fixture: APIFixture, firstRetry: Duration = .milliseconds(20)) -> ChannelReplyService {
        ChannelReplyService(core: fixture.core, transport: OutboundClientTransport(
            client: OutboundClient(store: fixture.api.credentials, client: fixture.api.client)),
            configuration: configuration(firstRetry: firstRetry))
    }

    /// Runs `body` with the channel and a started service; `answers` script the fake's first replies.
    static func with(answers: [Response] = [], firstRetry: Duration = .milliseconds(20),
                     _ body: (ReplyHarness, ChannelReplyService) async throws -> Void) async throws {
        try await withFixture { f in
            let slack = try FakeSlackAPI(group: f.api.group, answers: answers)
            let context = PlatformContext(verificationCredentialID: try await f.channelCredential(PlatformContext.secret),
                                          verifyTokenCredentialID: nil, keySetURL: "", openIDURL: "")
            let bot = try await f.api.credentials.put(
                CredentialSpec(name: "slack-bot", hosts: ["127.0.0.1"],
                               inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                               placeholder: placeholder),
                secret: Secret(botToken), actor: nil).id
            let created = try await f.post("/v1/channels", as: f.admin, json: """
                {"platform":"slack","name":"eng","verification_credential_id":"\(context.verificationCredentialID!)",
                 "bot_credential_id":"\(bot)","approvers":["\(approver)"],
                 "settings":{"api_base_url":"\(slack.origin)","bot_ids":["\(SlackPayloads.botUserID)"]}}
                """)
            try #require(created.status == 201, "\(created)")
            let service = service(for: f, firstRetry: firstRetry)
            service.start()
            let harness = ReplyHarness(fixture: f, slack: slack, channel: created.id, context: context)
            do {
                try await body(harness, service)
            } catch {
                await service.stop(); await slack.stop()
                throw error
            }
            await service.stop()
            await slack.stop()
        }
    }

    /// A user's Slack message in thread `1515449522.000016` of `C123ABC456`, through the webhook
    /// route; returns the session it landed in and the run it queued.
    func userMessage(event: String = "Ev123ABC456") async throws -> (session: String, run: String) {
        let body = SlackPayloads.appMention.replacingOccurrences(of: "Ev123ABC456", with: event)
        let reply = try await fixture.deliver("slack", channel, WebhookPlatform.slack.sign(body, "", context))
        try #require((200...299).contains(reply.status), "\(reply)")
        let rows = try await fixture.core.read { db in
            try db.query("SELECT session_id, run_id FROM messages WHERE role = 'user' ORDER BY id DESC LIMIT 1")
        }
        return (rows[0].string("session_id") ?? "", rows[0].string("run_id") ?? "")
    }

    /// What the agent says in the session, as the agent socket stores it.
    @discardableResult
    func agentSays(_ text: String, run: String, session: String) async throws -> String {
        try await fixture.core.write { tx in
            _ = try tx.startRun(run)
            return try tx.agentMessage(role: "assistant", text: text, run: try tx.activeRun(run, session: session)).id
        }
    }

    func outbox(where condition: String = "1") async throws -> [ChannelOutboxRecord] {
        try await fixture.core.read { db in
            try db.query("SELECT * FROM channel_outbox WHERE \(condition) ORDER BY id").map(ChannelOutboxRepository.record)
        }
    }

    func waitForOutbox(_ status: String, count: Int = 1) async throws {
        try await eventually(within: 10, "\(count) outbox rows \(status)") {
            try await self.outbox(where: "status = '\(status)'").count >= count
        }
    }

    /// A Slack button click from `user`, form-encoded and signed as Slack sends it.
    func click(_ decision: String, _ approval: String, as user: String) async throws -> Reply {
        let json = SlackPayloads.blockActions(actionID: "\(decision):\(approval)")
            .replacingOccurrences(of: #""id": "U123ABC456""#, with: #""id": "\#(user)""#)
        var delivery = WebhookPlatform.slack.sign("payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                                                  "", context)
        delivery.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        return try await fixture.deliver("slack", channel, delivery)
    }

    /// Every byte of the database files, to show a secret is nowhere in them.
    func databaseBytes() throws -> Data {
        var all = Data()
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: fixture.dbPath + suffix) { all.append(data) }
        }
        return all
    }
}
