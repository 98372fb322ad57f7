import ChannelTestSupport
import Channels
import Testing

@Suite struct LinearParsingTests {
    let bot = BotIdentity(ids: [LinearPayloads.appUserID], handles: ["warden"])

    @Test func aNewCommentIsAMessageStartingItsThread() throws {
        let body = LinearPayloads.commentCreate(body: "@warden why does Safari fail?")
        let message = try message(parse(.linear, body, bot: bot, headers: LinearPayloads.headers))
        #expect(message.deliveryID == "000042e3-d123-4980-b49f-8e140eef9329:234d1a4e-b617-4388-90fe-adc3633d6b72")
        #expect(message.messageID == "comment:2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9")
        #expect(message.thread == ThreadRef(platform: .linear, workspaceID: "8f1b6c43-2d7b-47b4-9f4e-3f0f9ddc7d85",
                                            conversationID: "c7b5f3a2-6d2e-4f7b-9a35-0a1f0e2d3c4b",
                                            threadID: "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9"))
        #expect(message.author == ChannelAuthor(id: "4f4b6b1c-2f0a-4d1f-a6b5-5b0b5c1e6a11", displayName: "Ada Lovelace"))
        #expect(message.text == "why does Safari fail?")
        #expect(message.mentionsBot)
        #expect(message.replyAnchor == "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9")
    }

    @Test func aReplyStaysInItsParentsThread() throws {
        let body = LinearPayloads.commentCreate(body: "and on iOS?", parentID: "11111111-2222-4333-8444-555555555555")
        let message = try message(parse(.linear, body, bot: bot, headers: LinearPayloads.headers))
        #expect(message.thread.threadID == "11111111-2222-4333-8444-555555555555")
        #expect(message.replyTo == "11111111-2222-4333-8444-555555555555")
        #expect(message.replyAnchor == "11111111-2222-4333-8444-555555555555")
    }

    @Test func withoutTheDeliveryHeaderTheDeliveryIDIsStillRetryStable() throws {
        let body = LinearPayloads.commentCreate(body: "hello")
        let message = try message(parse(.linear, body, bot: bot))
        #expect(message.deliveryID == "000042e3-d123-4980-b49f-8e140eef9329:Comment:create:2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9")
    }

    @Test func aNewIssueIsAMessageOfTitleAndDescription() throws {
        let message = try message(parse(.linear, LinearPayloads.issueCreate, bot: bot))
        #expect(message.text == "Checkout fails on Safari\n\nSteps: open checkout on Safari 17.")
        #expect(message.thread.conversationID == "c7b5f3a2-6d2e-4f7b-9a35-0a1f0e2d3c4b")
        #expect(message.thread.threadID == nil)
        #expect(message.messageID == "issue:c7b5f3a2-6d2e-4f7b-9a35-0a1f0e2d3c4b")
    }

    @Test func theAppsOwnCommentIsIgnored() throws {
        let own = LinearPayloads.commentCreate(body: "Done.", userID: LinearPayloads.appUserID)
        #expect(try ignoredReason(parse(.linear, own, bot: bot)) == .ownMessage)
    }

    @Test func updatesAndOtherTypesAreIgnored() throws {
        let update = replacing(LinearPayloads.issueCreate, [("\"action\": \"create\"", "\"action\": \"update\"")])
        #expect(try ignoredReason(parse(.linear, update, bot: bot)) == .edit)
        let project = replacing(LinearPayloads.issueCreate, [("\"type\": \"Issue\"", "\"type\": \"Project\"")])
        #expect(try ignoredReason(parse(.linear, project, bot: bot)) == .unsupported("Project.create"))
    }

    @Test func aTextCommandIsAnApprovalAction() throws {
        let action = try approval(parse(.linear, LinearPayloads.commentCreate(body: "/deny \(approvalID) wrong repo"), bot: bot))
        #expect(action.decision == .deny)
        #expect(action.reason == "wrong repo")
    }

    @Test func malformedPayloadsAreParseFailures() {
        #expect(throws: ParseFailure.notJSON(.linear)) { try parse(.linear, "<xml/>", bot: bot) }
        #expect(throws: ParseFailure.missingField(.linear, field: "data")) {
            try parse(.linear, #"{"action": "create", "type": "Comment"}"#, bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.linear, field: "data.issueId")) {
            try parse(.linear, replacing(LinearPayloads.commentCreate(body: "x"), [("\"issueId\"", "\"issue_id\"")]), bot: bot)
        }
    }
}
