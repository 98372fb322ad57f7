import ChannelTestSupport
import Channels
import Testing

@Suite struct DiscordParsingTests {
    let bot = BotIdentity(ids: [DiscordPayloads.applicationID])

    @Test func pingIsAnsweredWithPong() throws {
        let reply = try handshake(parse(.discord, DiscordPayloads.ping, bot: bot))
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        #expect(reply.bodyText == #"{"type":1}"#)
    }

    @Test func aSlashCommandIsAMessageOfItsOptions() throws {
        let message = try message(parse(.discord, DiscordPayloads.askCommand, bot: bot))
        #expect(message.deliveryID == "786008729715212338")
        #expect(message.messageID == "786008729715212338")
        #expect(message.thread == ThreadRef(platform: .discord, workspaceID: "290926798626357999", conversationID: "645027906669510667"))
        #expect(message.author == ChannelAuthor(id: "53908232506183680", displayName: "Mason G"))
        #expect(message.text == "why is so slow? ask <@!4242>")
        #expect(message.mentions == ["4242"])
        #expect(message.mentionsBot)
        #expect(!message.isDirect)
    }

    @Test func theApproveCommandIsAnApprovalAction() throws {
        let action = try approval(parse(.discord, DiscordPayloads.approveCommand, bot: bot))
        #expect(action.decision == .approve)
        #expect(action.approvalID == approvalID)
        #expect(action.reason == "looks fine")
        #expect(action.actor == ChannelAuthor(id: "53908232506183680", displayName: "Mason"))
        #expect(action.thread.workspaceID == nil)
        #expect(action.card == nil)
    }

    @Test func aButtonClickIsAnApprovalActionWithTheInteractionToUpdateTheCard() throws {
        let action = try approval(parse(.discord, DiscordPayloads.buttonClick(customID: "deny:\(approvalID)"), bot: bot))
        #expect(action.decision == .deny)
        #expect(action.approvalID == approvalID)
        #expect(action.actor.displayName == "Mase")
        #expect(action.deliveryID == "846462639134605312")
        #expect(action.card == .discord(
            channelID: "345626669114982999", messageID: "844397162624450620",
            interaction: DiscordInteractionRef(applicationID: "11869105236066", interactionID: "846462639134605312",
                                               token: "unique_interaction_token")))
    }

    @Test func acknowledgementsAreInteractionResponses() throws {
        let click = try parse(.discord, DiscordPayloads.buttonClick(customID: "deny:\(approvalID)"), bot: bot)
        #expect(WebhookReply.acknowledgement(platform: .discord, events: click).bodyText == #"{"type":6}"#)
        let command = try parse(.discord, DiscordPayloads.askCommand, bot: bot)
        let reply = WebhookReply.acknowledgement(platform: .discord, events: command)
        #expect(reply.contentType == "application/json")
        #expect(reply.bodyText.hasPrefix(#"{"data":{"allowed_mentions":{"parse":[]},"content":""#))
        #expect(reply.bodyText.hasSuffix(#""type":4}"#))
        let ping = try parse(.discord, DiscordPayloads.ping, bot: bot)
        #expect(WebhookReply.acknowledgement(platform: .discord, events: ping).bodyText == #"{"type":1}"#)
    }

    @Test func otherButtonsAndInteractionTypesAreIgnored() throws {
        #expect(try ignoredReason(parse(.discord, DiscordPayloads.buttonClick(customID: "next_page"), bot: bot)) == .unknownAction("next_page"))
        let autocomplete = replacing(DiscordPayloads.askCommand, [("\"type\": 2,", "\"type\": 4,")])
        #expect(try ignoredReason(parse(.discord, autocomplete, bot: bot)) == .unsupported("interaction type 4"))
    }

    @Test func malformedInteractionsAreParseFailures() {
        #expect(throws: ParseFailure.notJSON(.discord)) { try parse(.discord, "type=1", bot: bot) }
        #expect(throws: ParseFailure.missingField(.discord, field: "type")) { try parse(.discord, #"{"type":"1"}"#, bot: bot) }
        #expect(throws: ParseFailure.missingField(.discord, field: "data.name")) {
            try parse(.discord, replacing(DiscordPayloads.askCommand, [("\"name\": \"ask\"", "\"nom\": \"ask\"")]), bot: bot)
        }
        #expect(throws: ParseFailure.missingField(.discord, field: "message.id")) {
            try parse(.discord, replacing(DiscordPayloads.buttonClick(customID: "approve:\(approvalID)"),
                                          [("\"id\": \"844397162624450620\"", "\"ident\": \"x\"")]), bot: bot)
        }
    }
}
