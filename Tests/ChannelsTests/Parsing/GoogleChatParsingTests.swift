import ChannelTestSupport
import Channels
import Testing

@Suite struct GoogleChatParsingTests {
    let bot = BotIdentity(ids: [GoogleChatPayloads.botName])

    @Test func aMentionIsAMessageOfItsArgumentText() throws {
        let message = try message(parse(.googleChat, GoogleChatPayloads.mention, bot: bot))
        #expect(message.deliveryID == "spaces/AAAAAAAAAAA/messages/CCCCCCCCCCC.CCCCCCCCCCC")
        #expect(message.messageID == message.deliveryID)
        #expect(message.thread == ThreadRef(platform: .googleChat, conversationID: "spaces/AAAAAAAAAAA",
                                            threadID: "spaces/AAAAAAAAAAA/threads/BBBBBBBBBBB"))
        #expect(message.author == ChannelAuthor(id: "users/12345678901234567890", displayName: "Chris Corgi"))
        #expect(message.text == "what is up with @Dana?")
        #expect(message.mentions == ["users/55555"])
        #expect(message.mentionsBot)
        #expect(!message.isDirect)
    }

    @Test func aDirectMessageIsDirect() throws {
        let message = try message(parse(.googleChat, GoogleChatPayloads.directMessage, bot: bot))
        #expect(message.isDirect)
        #expect(message.text == "deploy status?")
    }

    @Test func aCardClickIsAnApprovalActionWithTheCardToUpdate() throws {
        let action = try approval(parse(.googleChat, GoogleChatPayloads.cardClicked(function: "deny"), bot: bot))
        #expect(action.decision == .deny)
        #expect(action.approvalID == approvalID)
        #expect(action.actor == ChannelAuthor(id: "users/12345678901234567890", displayName: "Chris Corgi"))
        #expect(action.card == .googleChat(messageName: "spaces/AAAAAAAAAAA/messages/GGGGGGGGGGG.GGGGGGGGGGG"))
        #expect(WebhookReply.acknowledgement(platform: .googleChat, events: [.approvalAction(action)]).bodyText == "{}")
    }

    @Test func theBotsOwnMessageAndMembershipEventsAreIgnored() throws {
        let own = replacing(GoogleChatPayloads.directMessage, [("\"sender\": \(GoogleChatPayloads.user)",
                                                                "\"sender\": {\"name\": \"\(GoogleChatPayloads.botName)\", \"type\": \"BOT\"}")])
        #expect(try ignoredReason(parse(.googleChat, own, bot: bot)) == .ownMessage)
        #expect(try ignoredReason(parse(.googleChat, GoogleChatPayloads.addedToSpace, bot: bot)) == .unsupported("ADDED_TO_SPACE"))
        #expect(try ignoredReason(parse(.googleChat, GoogleChatPayloads.cardClicked(function: "openDialog"), bot: bot))
            == .unknownAction("openDialog"))
    }

    @Test func aTextCommandIsAnApprovalAction() throws {
        let body = replacing(GoogleChatPayloads.directMessage, [("deploy status?", "/approve \(approvalID)")])
        let action = try approval(parse(.googleChat, body, bot: bot))
        #expect(action.decision == .approve)
        #expect(action.deliveryID == "spaces/DDDDDDDDDDD/messages/EEEEEEEEEEE.EEEEEEEEEEE")
    }

    @Test func malformedEventsAreParseFailures() {
        #expect(throws: ParseFailure.notJSON(.googleChat)) { try parse(.googleChat, "\"MESSAGE\"", bot: bot) }
        #expect(throws: ParseFailure.missingField(.googleChat, field: "type")) { try parse(.googleChat, #"{"message": {}}"#, bot: bot) }
        #expect(throws: ParseFailure.missingField(.googleChat, field: "message.name")) {
            try parse(.googleChat, replacing(GoogleChatPayloads.directMessage, [("\"name\": \"spaces/DDDDDDDDDDD/messages", "\"id\": \"x")]), bot: bot)
        }
    }
}
