import ChannelTestSupport
import Channels
import Foundation
import Testing

@Suite struct ApprovalCommandTests {
    @Test func textCommandsNameTheDecisionTheIDAndAnOptionalReason() {
        #expect(ApprovalCommand.parseText("/approve \(approvalID)") == ApprovalCommand(decision: .approve, approvalID: approvalID))
        #expect(ApprovalCommand.parseText("  /DENY   \(approvalID)  \n too risky \n") ==
            ApprovalCommand(decision: .deny, approvalID: approvalID, reason: "too risky"))
        #expect(ApprovalCommand.parseText("/approve@WardenBot \(approvalID)")?.decision == .approve)
        // Crockford base32 is case-insensitive; people retype ids.
        #expect(ApprovalCommand.parseText("/approve \(approvalID.lowercased())")?.approvalID == approvalID)
    }

    @Test func otherTextIsNotACommand() {
        for text in ["/approve", "/approve everything", "/approved \(approvalID)", "approve \(approvalID)",
                     "please /approve \(approvalID)", "/approve apr_01J9Z8X7W6V5T4S3R2Q1P0N9M", "/approve ses_01J9Z8X7W6V5T4S3R2Q1P0N9M8",
                     "/approve apr_01J9Z8X7W6V5T4S3R2Q1P0N9MU", ""] {
            #expect(ApprovalCommand.parseText(text) == nil, "\(text)")
        }
    }

    @Test func buttonValuesRoundTrip() {
        for decision in ApprovalDecision.allCases {
            let value = ApprovalCommand.buttonValue(decision, approvalID: approvalID)
            #expect(ApprovalCommand.parseButton(value) == ApprovalCommand(decision: decision, approvalID: approvalID))
            // Telegram's callback_data holds at most 64 bytes.
            #expect(value.utf8.count <= 64)
        }
        #expect(ApprovalCommand.parseButton("maybe:\(approvalID)") == nil)
        #expect(ApprovalCommand.parseButton("approve:") == nil)
        #expect(ApprovalCommand.parseButton(approvalID) == nil)
    }
}

@Suite struct InboundModelCodingTests {
    /// Messages and card handles are stored between the webhook and the reply or the card update.
    @Test func messagesAndCardHandlesSurviveJSON() throws {
        let bot = BotIdentity(ids: [SlackPayloads.botUserID])
        let message = try message(parse(.slack, SlackPayloads.appMention, bot: bot))
        let decoded = try JSONDecoder().decode(ChannelMessage.self, from: JSONEncoder().encode(message))
        #expect(decoded == message)
        let handle = CardHandle.discord(channelID: "1", messageID: "2",
                                        interaction: DiscordInteractionRef(applicationID: "3", interactionID: "4", token: "t"))
        #expect(try JSONDecoder().decode(CardHandle.self, from: JSONEncoder().encode(handle)) == handle)
    }
}
