import ChannelTestSupport
import Channels
import Testing

@Suite struct TelegramParsingTests {
    let bot = BotIdentity(ids: [TelegramPayloads.botUserID], handles: [TelegramPayloads.botUsername])

    @Test func aGroupMentionIsAMessageWithoutTheMention() throws {
        let message = try message(parse(.telegram, TelegramPayloads.groupMention, bot: bot))
        #expect(message.deliveryID == "646911460")
        #expect(message.messageID == "-1001234567890:2241")
        #expect(message.thread == ThreadRef(platform: .telegram, conversationID: "-1001234567890"))
        #expect(message.author == ChannelAuthor(id: "1111111", displayName: "Ada Lovelace"))
        #expect(message.text == "why did it fail? cc @grace")
        #expect(message.mentions == ["grace"])
        #expect(message.mentionsBot)
        #expect(!message.isDirect)
        #expect(message.replyTo == "2240")
        #expect(message.replyAnchor == "2241")
    }

    @Test func aPrivateMessageIsDirectAndKeepsItsEmoji() throws {
        let message = try message(parse(.telegram, TelegramPayloads.privateMessage, bot: bot))
        #expect(message.isDirect)
        #expect(message.text == "hello 👋🏽")
        #expect(!message.mentionsBot)
        #expect(message.author.displayName == "Ada")
    }

    @Test func aForumTopicIsTheThreadAndItsRootIsNotAReply() throws {
        let message = try message(parse(.telegram, TelegramPayloads.topicMessage, bot: bot))
        #expect(message.thread.threadID == "77")
        #expect(message.replyTo == nil)
        #expect(message.text == "/ask status of prod")
        #expect(message.mentionsBot)
    }

    @Test func idsBeyondDoublePrecisionSurviveExactly() throws {
        let body = replacing(TelegramPayloads.privateMessage, [("\"from\": {\"id\": 1111111", "\"from\": {\"id\": 9007199254740993")])
        #expect(try message(parse(.telegram, body, bot: bot)).author.id == "9007199254740993")
    }

    @Test func theBotsOwnMessageIsIgnored() throws {
        let own = replacing(TelegramPayloads.privateMessage, [("\"from\": {\"id\": 1111111, \"is_bot\": false", "\"from\": {\"id\": 7000000001, \"is_bot\": true")])
        #expect(try ignoredReason(parse(.telegram, own, bot: bot)) == .ownMessage)
    }

    @Test func editsPhotosAndOtherUpdatesAreIgnored() throws {
        #expect(try ignoredReason(parse(.telegram, TelegramPayloads.editedMessage, bot: bot)) == .edit)
        #expect(try ignoredReason(parse(.telegram, TelegramPayloads.photoWithoutCaption, bot: bot)) == .noText)
        let member = #"{"update_id": 5, "my_chat_member": {"chat": {"id": 1, "type": "group"}}}"#
        #expect(try ignoredReason(parse(.telegram, member, bot: bot)) == .unsupported("my_chat_member"))
    }

    @Test func anInlineKeyboardClickIsAnApprovalAction() throws {
        let action = try approval(parse(.telegram, TelegramPayloads.callbackQuery(data: "deny:\(approvalID)"), bot: bot))
        #expect(action.decision == .deny)
        #expect(action.approvalID == approvalID)
        #expect(action.actor == ChannelAuthor(id: "1111111", displayName: "Ada"))
        #expect(action.deliveryID == "646911465")
        #expect(action.card == .telegram(chatID: "-1001234567890", messageID: "2250", callbackQueryID: "4382bfdwdsb323b2d9"))
    }

    @Test func anotherCallbackIsIgnored() throws {
        #expect(try ignoredReason(parse(.telegram, TelegramPayloads.callbackQuery(data: "page:2"), bot: bot)) == .unknownAction("page:2"))
    }

    @Test func aTextCommandWithTheBotsNameIsAnApprovalAction() throws {
        let body = replacing(TelegramPayloads.groupMention, [("@WardenBot why did it fail? cc @grace", "/approve@WardenBot \(approvalID)")])
        let action = try approval(parse(.telegram, body, bot: bot))
        #expect(action.decision == .approve)
        #expect(action.approvalID == approvalID)
        #expect(action.card == nil)
    }

    @Test func malformedUpdatesAreParseFailures() {
        #expect(throws: ParseFailure.notJSON(.telegram)) { try parse(.telegram, "[1,2]", bot: bot) }
        #expect(throws: ParseFailure.missingField(.telegram, field: "update_id")) {
            try parse(.telegram, #"{"message": {"message_id": 1}}"#, bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.telegram, field: "message.chat.id")) {
            try parse(.telegram, #"{"update_id": 1, "message": {"message_id": 1, "text": "hi"}}"#, bot: bot)
        }
        #expect(throws: ParseFailure.methodNotAllowed(.telegram, method: "GET")) {
            try parse(.telegram, TelegramPayloads.privateMessage, bot: bot, method: "GET")
        }
    }
}
