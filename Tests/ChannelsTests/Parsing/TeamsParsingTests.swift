import ChannelTestSupport
import Channels
import Testing

@Suite struct TeamsParsingTests {
    let bot = BotIdentity(ids: [TeamsPayloads.botID])

    @Test func aChannelMentionIsAMessageInItsThread() throws {
        let message = try message(parse(.teams, TeamsPayloads.channelMention, bot: bot))
        #expect(message.deliveryID == "1485983408511")
        #expect(message.messageID == "19:253b1f341670408fb6fe17a9ff5a9c5c@thread.tacv2:1485983408511")
        #expect(message.thread == ThreadRef(platform: .teams, workspaceID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
                                            conversationID: "19:253b1f341670408fb6fe17a9ff5a9c5c@thread.tacv2",
                                            threadID: "1485983408511", serviceURL: "https://smba.trafficmanager.net/amer/"))
        #expect(message.author.displayName == "Megan Bowen")
        #expect(message.text == "summarise the thread for @Adele Vance")
        #expect(message.mentions == ["29:1AdeleVanceId"])
        #expect(message.mentionsBot)
        #expect(!message.isDirect)
        #expect(message.replyAnchor == "1485983408511")
    }

    @Test func aPersonalChatIsDirectWithoutAThread() throws {
        let message = try message(parse(.teams, TeamsPayloads.personalMessage, bot: bot))
        #expect(message.isDirect)
        #expect(message.thread.threadID == nil)
        #expect(message.thread.conversationID == "a:1dRsHCobZ1AxURzY05Dc")
        #expect(message.text == "hello")
    }

    @Test func anActionExecuteIsAnApprovalActionWithTheCardToUpdate() throws {
        let action = try approval(parse(.teams, TeamsPayloads.actionExecute(verb: "approve"), bot: bot))
        #expect(action.decision == .approve)
        #expect(action.approvalID == approvalID)
        #expect(action.actor.id.hasPrefix("29:1XJKJ"))
        #expect(action.card == .teams(serviceURL: "https://smba.trafficmanager.net/amer/",
                                      conversationID: "19:253b1f341670408fb6fe17a9ff5a9c5c@thread.tacv2;messageid=1485983408511",
                                      activityID: "1661500003210"))
        let ack = WebhookReply.acknowledgement(platform: .teams, events: [.approvalAction(action)])
        #expect(ack.bodyText.contains(#""statusCode":200"#))
    }

    @Test func aMessageBackWithApprovalDataIsAnApprovalAction() throws {
        let body = replacing(TeamsPayloads.personalMessage, [("\"text\": \"hello\",", "\"value\": {\"action\": \"deny\", \"approvalId\": \"\(approvalID)\"},")])
        let action = try approval(parse(.teams, body, bot: bot))
        #expect(action.decision == .deny)
        #expect(action.card == nil)
    }

    @Test func theBotsOwnActivityAndUnhandledTypesAreIgnored() throws {
        let own = replacing(TeamsPayloads.personalMessage, [("\"from\": {\"id\": \"29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw\"", "\"from\": {\"id\": \"\(TeamsPayloads.botID)\"")])
        #expect(try ignoredReason(parse(.teams, own, bot: bot)) == .ownMessage)
        let update = replacing(TeamsPayloads.personalMessage, [("\"type\": \"message\"", "\"type\": \"conversationUpdate\"")])
        #expect(try ignoredReason(parse(.teams, update, bot: bot)) == .unsupported("conversationUpdate"))
        let edit = replacing(TeamsPayloads.personalMessage, [("\"type\": \"message\"", "\"type\": \"messageUpdate\"")])
        #expect(try ignoredReason(parse(.teams, edit, bot: bot)) == .edit)
        #expect(try ignoredReason(parse(.teams, TeamsPayloads.actionExecute(verb: "refresh"), bot: bot)) == .unknownAction("refresh"))
    }

    @Test func aTextCommandIsAnApprovalAction() throws {
        let body = replacing(TeamsPayloads.channelMention, [("summarise the thread for <at>Adele Vance</at>", "/approve \(approvalID)")])
        let action = try approval(parse(.teams, body, bot: bot))
        #expect(action.decision == .approve)
    }

    @Test func malformedActivitiesAreParseFailures() {
        #expect(throws: ParseFailure.notJSON(.teams)) { try parse(.teams, "", bot: bot) }
        #expect(throws: ParseFailure.missingField(.teams, field: "serviceUrl")) {
            try parse(.teams, replacing(TeamsPayloads.personalMessage, [("\"serviceUrl\"", "\"service\"")]), bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.teams, field: "replyToId")) {
            try parse(.teams, replacing(TeamsPayloads.actionExecute(verb: "approve"), [("\"replyToId\"", "\"replyTo\"")]), bot: bot)
        }
    }
}
