import ChannelTestSupport
import Core
import Foundation
import HTTP
import Store
import Testing
import TestSupport
@testable import API
@testable import Channels

/// Replies and approval cards from a Slack-mapped session to a fake Slack Web API on this
/// machine, through the credential proxy's outbound client, with a real database.
@Suite struct ChannelReplyTests {
    @Test func anAssistantMessageIsPostedOnceIntoTheThreadWithTheBotToken() async throws {
        try await ReplyHarness.with { h, _ in
            let (session, run) = try await h.userMessage()
            let message = try await h.agentSays("It is, mostly.", run: run, session: session)
            try await h.waitForOutbox("delivered")

            let requests = try await h.slack.waitForRequests(1)
            try #require(requests.count == 1)
            let post = requests[0]
            #expect(post.method == "POST" && post.path == "/api/chat.postMessage")
            #expect(post.headers["Authorization"] == "Bearer \(ReplyHarness.botToken)", "the proxy injected the real token")
            #expect(post.jsonBody?["channel"]?.string == "C123ABC456")
            #expect(post.jsonBody?["thread_ts"]?.string == "1515449522.000016")
            #expect(post.jsonBody?["text"]?.string == "It is, mostly.")

            let rows = try await h.outbox()
            try #require(rows.count == 1)
            #expect(rows[0].kind == "reply" && rows[0].sourceID == message && rows[0].attempts == 1)
            #expect(rows[0].platformMessageIDs == #"["1700000000.000001"]"#)
            try await eventually(within: 5, "the outbound call audited") {
                try await h.fixture.count("audit", where: "kind = 'proxy.request' AND detail LIKE '%chat.postMessage%'") >= 1
            }
            #expect(try h.databaseBytes().range(of: Data(ReplyHarness.botToken.utf8)) == nil,
                    "the token is in no row, outbox, audit or otherwise")

            let record = try await h.fixture.get("/v1/channels/\(h.channel)/deliveries", as: h.fixture.admin)
            #expect(record.status == 200, "\(record)")
            let entry = record.json["data"]?[0]
            #expect(entry?["object"]?.string == "channel_delivery" && entry?["status"]?.string == "delivered")
            #expect(entry?["kind"]?.string == "reply" && entry?["source_id"]?.string == message)
            #expect(entry?["platform_message_ids"]?[0]?.string == "1700000000.000001")
            #expect(!record.text.contains(ReplyHarness.botToken))
            let metrics = try await h.fixture.get("/metrics", as: h.fixture.admin).text
            #expect(metrics.contains(#"warden_channel_attempts_total{kind="reply",outcome="delivered"} 1"#), "\(metrics)")

            // The user's own message and a second pass over the events make nothing more.
            try await Task.sleep(for: .milliseconds(100))
            #expect(h.slack.requests.count == 1)
        }
    }

    @Test func aRateLimitedReplyWaitsForRetryAfterAndIsSentAgain() async throws {
        try await ReplyHarness.with(answers: [FakeSlackAPI.rateLimited(after: 1)]) { h, _ in
            let (session, run) = try await h.userMessage()
            try await h.agentSays("After the limit.", run: run, session: session)
            _ = try await h.slack.waitForRequests(1)
            try await eventually(within: 5, "the 429 recorded") { try await h.outbox().first?.attempts == 1 }
            let waiting = try #require(try await h.outbox().first)
            #expect(waiting.status == "pending" && waiting.lastError?.contains("rate limited") == true)
            let last = try #require(waiting.lastAttemptAt.flatMap(Timestamp.parse))
            let next = try #require(waiting.nextAttemptAt.flatMap(Timestamp.parse))
            #expect(next.timeIntervalSince(last) >= 0.99, "the retry waits at least Retry-After, not the 20 ms backoff")

            try await h.waitForOutbox("delivered")
            let requests = h.slack.requests
            #expect(requests.count == 2)
            #expect(requests.map { $0.jsonBody?["text"]?.string } == ["After the limit.", "After the limit."])
        }
    }

    @Test func aLongReplyIsSplitAndPostedInOrder() async throws {
        try await ReplyHarness.with { h, _ in
            let (session, run) = try await h.userMessage()
            let paragraphs = (0..<9).map { i in String(repeating: "part\(i) ", count: 1800) }
            let text = paragraphs.joined(separator: "\n\n")
            try await h.agentSays(text, run: run, session: session)
            try await h.waitForOutbox("delivered")
            let posted = h.slack.requests.compactMap { $0.jsonBody?["text"]?.string }
            #expect(posted.count >= 3, "over Slack's 40 000 characters")
            #expect(posted.allSatisfy { $0.count <= 40_000 })
            let squashed = { (s: String) in s.filter { !$0.isWhitespace } }
            #expect(squashed(posted.joined()) == squashed(text), "every part, in order")
            #expect(try await h.outbox().first?.partsSent == Int64(posted.count))
        }
    }

    @Test func anApprovalPostsACardOnlyAnApproverCanDecideAndTheCardShowsTheOutcome() async throws {
        try await ReplyHarness.with { h, _ in
            let (session, _) = try await h.userMessage()
            let approval = try await h.fixture.requestApproval(session).id
            try await h.waitForOutbox("delivered")
            let card = try #require(h.slack.requests.first)
            #expect(card.path == "/api/chat.postMessage" && card.jsonBody?["thread_ts"]?.string == "1515449522.000016")
            let actions = card.jsonBody?["blocks"]?.array?.last?["elements"]?.array ?? []
            #expect(actions.compactMap { $0["action_id"]?.string } == ["approve:\(approval)", "deny:\(approval)"])
            #expect(actions.allSatisfy { $0["value"]?.string == approval })
            #expect(card.jsonBody?["text"]?.string?.hasSuffix(" <@\(ReplyHarness.approver)>") == true,
                    "the channel's approver is mentioned on the card")

            #expect(try await h.click("approve", approval, as: "U999NOTLISTED").status == 200)
            #expect(try await h.fixture.core.approval(approval)?.status == "pending", "not an approver: nothing changes")
            try await Task.sleep(for: .milliseconds(100))
            #expect(h.slack.requests.count == 1, "and the card is not updated")

            #expect(try await h.click("approve", approval, as: ReplyHarness.approver).status == 200)
            #expect(try await h.fixture.core.approval(approval)?.status == "approved")
            let update = try await h.slack.waitForRequests(2)[1]
            #expect(update.path == "/api/chat.update")
            #expect(update.jsonBody?["ts"]?.string == "1700000000.000001", "the card's own ts")
            #expect(update.jsonBody?["text"]?.string?.hasPrefix("✅ Approved by slack:\(ReplyHarness.approver)") == true)
            #expect(update.headers["Authorization"] == "Bearer \(ReplyHarness.botToken)")
            try await h.waitForOutbox("delivered", count: 2)
        }
    }

    @Test func aRestartResumesPendingRowsAndEventsNotYetDispatched() async throws {
        let unavailable = Response(status: .serviceUnavailable, bytes: Array("{}".utf8))
        try await ReplyHarness.with(answers: [unavailable], firstRetry: .seconds(30)) { h, service in
            let (session, run) = try await h.userMessage()
            try await h.agentSays("Before the restart.", run: run, session: session)
            try await eventually(within: 5, "the 503 recorded") { try await h.outbox().first?.attempts == 1 }
            await service.stop()
            #expect(try await h.outbox().first?.status == "pending")
            // The retry is due when warden comes back (a restart takes longer than the backoff).
            _ = try await h.fixture.core.write { tx in try tx.db.execute("UPDATE channel_outbox SET next_attempt_at = ?", [.text(tx.now)]) }
            // While stopped: a row stays pending, and a new message is only an event.
            try await h.agentSays("While stopped.", run: run, session: session)
            let restarted = ReplyHarness.service(for: h.fixture)
            restarted.start()
            try await h.waitForOutbox("delivered", count: 2)
            await restarted.stop()
            let texts = h.slack.requests.compactMap { $0.jsonBody?["text"]?.string }
            #expect(texts == ["Before the restart.", "Before the restart.", "While stopped."], "in order, nothing twice")
        }
    }
}
