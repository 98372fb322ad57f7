import ChannelTestSupport
import Channels
import Testing

@Suite struct WhatsAppParsingTests {
    let bot = BotIdentity(ids: [WhatsAppPayloads.phoneNumberID])
    let subscribe = ["hub.mode": "subscribe", "hub.verify_token": "meatyhamhock", "hub.challenge": "1158201444"]

    @Test func theSubscriptionCheckIsAnsweredWithTheChallengeWhenTheTokenMatches() throws {
        let reply = try handshake(parse(.whatsapp, "", bot: bot, method: "GET", query: subscribe, verifyToken: "meatyhamhock"))
        #expect(reply.status == 200)
        #expect(reply.contentType == "text/plain; charset=utf-8")
        #expect(reply.bodyText == "1158201444")
    }

    @Test func theSubscriptionCheckIsRefusedWithAnotherToken() {
        #expect(throws: ParseFailure.verifyTokenMismatch) {
            try parse(.whatsapp, "", bot: bot, method: "GET", query: subscribe, verifyToken: "another")
        }
        #expect(throws: ParseFailure.verifyTokenMismatch) {
            try parse(.whatsapp, "", bot: bot, method: "GET", query: subscribe, verifyToken: nil)
        }
        var unsubscribe = subscribe
        unsubscribe["hub.mode"] = "unsubscribe"
        #expect(throws: ParseFailure.verifyTokenMismatch) {
            try parse(.whatsapp, "", bot: bot, method: "GET", query: unsubscribe, verifyToken: "meatyhamhock")
        }
        #expect(ParseFailure.verifyTokenMismatch.status == 403)
        #expect(throws: ParseFailure.missingField(.whatsapp, field: "hub.challenge")) {
            try parse(.whatsapp, "", bot: bot, method: "GET", query: subscribe.filter { $0.key != "hub.challenge" }, verifyToken: "meatyhamhock")
        }
    }

    @Test func aTextMessageIsAMessageOfItsSender() throws {
        let message = try message(parse(.whatsapp, WhatsAppPayloads.notification(messages: WhatsAppPayloads.textMessage), bot: bot))
        let id = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
        #expect(message.deliveryID == id)
        #expect(message.messageID == id)
        #expect(message.thread == ThreadRef(platform: .whatsapp, workspaceID: "106540352242922", conversationID: "16505551234"))
        #expect(message.author == ChannelAuthor(id: "16505551234", displayName: "Sheena Nelson"))
        #expect(message.text == "Does it come in another color?")
        #expect(message.isDirect)
        #expect(message.replyTo == nil)
        #expect(message.replyAnchor == id)
    }

    @Test func aReplyNamesTheMessageItAnswers() throws {
        let message = try message(parse(.whatsapp, WhatsAppPayloads.notification(messages: WhatsAppPayloads.replyMessage), bot: bot))
        #expect(message.replyTo == "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1QjJGRjI1RDY0RkE4Nzg4QzcA")
    }

    @Test func aBatchGivesOneEventPerMessageAndStatusesAreIgnored() throws {
        let body = WhatsAppPayloads.notification(messages: WhatsAppPayloads.textMessage + "," + WhatsAppPayloads.replyMessage,
                                                 statuses: WhatsAppPayloads.delivered)
        let events = try parse(.whatsapp, body, bot: bot)
        #expect(events.count == 3)
        #expect(events.last == .ignored(.statusUpdate))
        let onlyStatus = try parse(.whatsapp, WhatsAppPayloads.notification(statuses: WhatsAppPayloads.delivered), bot: bot)
        #expect(try ignoredReason(onlyStatus) == .statusUpdate)
    }

    @Test func aReplyButtonIsAnApprovalAction() throws {
        let body = WhatsAppPayloads.notification(messages: WhatsAppPayloads.buttonReply(id: "approve:\(approvalID)"))
        let action = try approval(parse(.whatsapp, body, bot: bot))
        #expect(action.decision == .approve)
        #expect(action.approvalID == approvalID)
        #expect(action.actor.id == "16505551234")
        #expect(action.card == nil)
    }

    @Test func aTextCommandIsAnApprovalAction() throws {
        let body = WhatsAppPayloads.notification(messages: replacing(WhatsAppPayloads.textMessage,
                                                                     [("Does it come in another color?", "/deny \(approvalID)")]))
        let action = try approval(parse(.whatsapp, body, bot: bot))
        #expect(action.decision == .deny)
        #expect(action.deliveryID == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=")
    }

    @Test func anImageWithoutCaptionAndAnEchoFromTheBusinessNumberAreIgnored() throws {
        #expect(try ignoredReason(parse(.whatsapp, WhatsAppPayloads.notification(messages: WhatsAppPayloads.image), bot: bot)) == .noText)
        let echo = replacing(WhatsAppPayloads.textMessage, [("\"from\": \"16505551234\"", "\"from\": \"15550783881\"")])
        #expect(try ignoredReason(parse(.whatsapp, WhatsAppPayloads.notification(messages: echo), bot: bot)) == .ownMessage)
    }

    @Test func malformedNotificationsAreParseFailures() {
        #expect(throws: ParseFailure.notJSON(.whatsapp)) { try parse(.whatsapp, "", bot: bot) }
        #expect(throws: ParseFailure.missingField(.whatsapp, field: "entry")) {
            try parse(.whatsapp, #"{"object": "whatsapp_business_account"}"#, bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.whatsapp, field: "entry[0].changes[0].value.messages[0].id")) {
            try parse(.whatsapp, WhatsAppPayloads.notification(messages: #"{"from": "16505551234", "type": "text", "text": {"body": "x"}}"#), bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.whatsapp, field: "entry[0].changes[0].value.metadata.phone_number_id")) {
            try parse(.whatsapp, replacing(WhatsAppPayloads.notification(messages: WhatsAppPayloads.textMessage),
                                           [("\"phone_number_id\"", "\"phone\"")]), bot: bot)
        }
        #expect(throws: ParseFailure.methodNotAllowed(.whatsapp, method: "PUT")) { try parse(.whatsapp, "{}", bot: bot, method: "PUT") }
    }
}
