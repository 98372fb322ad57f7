import ChannelTestSupport
import Channels
import Testing

@Suite struct SlackParsingTests {
    let bot = BotIdentity(ids: [SlackPayloads.botUserID, SlackPayloads.botID, SlackPayloads.appID])

    @Test func urlVerificationIsAnsweredWithTheChallengeAsPlainText() throws {
        let reply = try handshake(parse(.slack, SlackPayloads.urlVerification, bot: bot))
        #expect(reply.status == 200)
        #expect(reply.contentType == "text/plain; charset=utf-8")
        #expect(reply.bodyText == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    }

    @Test func anAppMentionIsAMessageWithoutTheMention() throws {
        let message = try message(parse(.slack, SlackPayloads.appMention, bot: bot))
        #expect(message.deliveryID == "Ev123ABC456")
        #expect(message.messageID == "C123ABC456:1515449522.000016")
        #expect(message.thread == ThreadRef(platform: .slack, workspaceID: "T123ABC456", conversationID: "C123ABC456",
                                            threadID: "1515449522.000016"))
        #expect(message.author == ChannelAuthor(id: "U061F7AUR"))
        #expect(message.text == "is it everything a river should be?")
        #expect(message.mentionsBot)
        #expect(message.mentions.isEmpty)
        #expect(!message.isDirect)
        #expect(message.replyTo == nil)
    }

    @Test func theMessageAndAppMentionTwinsShareTheMessageIDButNotTheDeliveryID() throws {
        let mention = try message(parse(.slack, SlackPayloads.appMention, bot: bot))
        let twin = try message(parse(.slack, SlackPayloads.messageTwin, bot: bot))
        #expect(mention.messageID == twin.messageID)
        #expect(mention.deliveryID != twin.deliveryID)
        #expect(mention.text == twin.text)
        #expect(mention.sessionKey(.thread) == twin.sessionKey(.thread))
        #expect(twin.mentionsBot)
    }

    @Test func aThreadReplyKeepsItsThreadAndUnescapesText() throws {
        let message = try message(parse(.slack, SlackPayloads.threadReplyInIM, bot: bot))
        #expect(message.thread.threadID == "1355517523.000005")
        #expect(message.replyTo == "1355517523.000005")
        #expect(message.isDirect)
        #expect(message.text == "is 3 < 4 & true? ask <@W0123ABC>")
        #expect(message.mentions == ["W0123ABC"])
        #expect(!message.mentionsBot)
    }

    @Test func sessionKeysFollowThePolicy() throws {
        let top = try message(parse(.slack, SlackPayloads.appMention, bot: bot))
        let reply = try message(parse(.slack, replacing(SlackPayloads.appMention, [
            ("\"ts\": \"1515449522.000016\"", "\"ts\": \"1515449600.000001\", \"thread_ts\": \"1515449522.000016\""),
            ("U061F7AUR", "U999"),
        ]), bot: bot))
        #expect(top.sessionKey(.thread) == reply.sessionKey(.thread))
        #expect(top.sessionKey(.channel) == reply.sessionKey(.channel))
        #expect(top.sessionKey(.user) != reply.sessionKey(.user))
        #expect(top.sessionKey(.thread) != top.sessionKey(.channel))
    }

    @Test func theBotsOwnMessageIsIgnored() throws {
        #expect(try ignoredReason(parse(.slack, SlackPayloads.ownMessage, bot: bot)) == .ownMessage)
        let byUser = replacing(SlackPayloads.messageTwin, [("\"user\": \"U061F7AUR\"", "\"user\": \"U0LAN0Z89\"")])
        #expect(try ignoredReason(parse(.slack, byUser, bot: bot)) == .ownMessage)
    }

    @Test func anotherBotsMessageIsAMessageMarkedAsFromABot() throws {
        let other = replacing(SlackPayloads.ownMessage, [("B0LAN0Z89", "B999"), ("\"app_id\": \"A123ABC456\"", "\"app_id\": \"A999\"")])
        let message = try message(parse(.slack, other, bot: bot))
        #expect(message.author == ChannelAuthor(id: "B999", displayName: "Warden", isBot: true))
    }

    @Test func editsAndUnhandledEventsAreIgnored() throws {
        #expect(try ignoredReason(parse(.slack, SlackPayloads.messageChanged, bot: bot)) == .edit)
        #expect(try ignoredReason(parse(.slack, SlackPayloads.reactionAdded, bot: bot)) == .unsupported("reaction_added"))
        #expect(try ignoredReason(parse(.slack, #"{"type":"app_rate_limited","token":"x","team_id":"T1"}"#, bot: bot))
            == .unsupported("app_rate_limited"))
    }

    @Test func malformedBodiesAreParseFailures() {
        #expect(throws: ParseFailure.self) { try parse(.slack, "not json at all", bot: bot) }
        #expect(throws: ParseFailure.notJSON(.slack)) { try parse(.slack, "{\"type\":", bot: bot) }
        #expect(throws: ParseFailure.missingField(.slack, field: "event_id")) {
            try parse(.slack, replacing(SlackPayloads.appMention, [("\"event_id\"", "\"other_id\"")]), bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.slack, field: "event.channel")) {
            try parse(.slack, replacing(SlackPayloads.appMention, [("\"channel\":", "\"chan\":")]), bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.slack, field: "challenge")) {
            try parse(.slack, #"{"type":"url_verification","token":"x"}"#, bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.slack, field: "type")) { try parse(.slack, "{}", bot: bot) }
    }

    @Test func anApprovalButtonClickIsAnApprovalAction() throws {
        let body = formEncoded([("payload", SlackPayloads.blockActions(actionID: "approve:\(approvalID)"))])
        let action = try approval(parse(.slack, body, bot: bot, headers: ["Content-Type": "application/x-www-form-urlencoded"]))
        #expect(action.approvalID == approvalID)
        #expect(action.decision == .approve)
        #expect(action.actor == ChannelAuthor(id: "U123ABC456", displayName: "spengler"))
        #expect(action.card == .slack(channelID: "C123ABC456", messageTS: "1548261231.000200",
                                      responseURL: "https://hooks.slack.com/actions/T123ABC456/1234567890/abcd1234"))
        #expect(action.thread.workspaceID == "T123ABC456")
    }

    @Test func anotherButtonIsIgnored() throws {
        let body = formEncoded([("payload", SlackPayloads.blockActions(actionID: "open_settings"))])
        #expect(try ignoredReason(parse(.slack, body, bot: bot)) == .unknownAction("open_settings"))
    }

    @Test func approveSlashCommandIsAnApprovalAction() throws {
        let body = formEncoded(SlackPayloads.slashCommand(command: "/deny", text: "\(approvalID) not on a Friday"))
        let action = try approval(parse(.slack, body, bot: bot))
        #expect(action.decision == .deny)
        #expect(action.approvalID == approvalID)
        #expect(action.reason == "not on a Friday")
        #expect(action.actor.id == "U2147483697")
        #expect(action.card == nil)
    }

    @Test func anApproveSlashCommandWithoutAnApprovalIDIsIgnored() throws {
        let body = formEncoded(SlackPayloads.slashCommand(command: "/approve", text: "everything"))
        #expect(try ignoredReason(parse(.slack, body, bot: bot)) == .unknownAction("/approve everything"))
    }

    @Test func anotherSlashCommandIsAMessage() throws {
        let body = formEncoded(SlackPayloads.slashCommand(command: "/warden", text: "summarise #incidents"))
        let message = try message(parse(.slack, body, bot: bot))
        #expect(message.text == "summarise #incidents")
        #expect(message.thread.conversationID == "C2147483705")
        #expect(message.deliveryID == "13345224609.738474920.8088930838d88f008e0")
    }

    @Test func aTextCommandInAMessageIsAnApprovalAction() throws {
        let body = replacing(SlackPayloads.appMention, [("is it everything a river should be?", "/approve \(approvalID.lowercased())")])
        let action = try approval(parse(.slack, body, bot: bot))
        #expect(action.approvalID == approvalID)
        #expect(action.decision == .approve)
        #expect(action.actor.id == "U061F7AUR")
        #expect(action.deliveryID == "Ev123ABC456")
    }

    @Test func aFormBodyThatIsNeitherIsAParseFailure() {
        #expect(throws: ParseFailure.self) { try parse(.slack, "foo=bar", bot: bot) }
        #expect(throws: ParseFailure.notJSON(.slack)) { try parse(.slack, "payload=%7Bnope", bot: bot) }
    }
}
