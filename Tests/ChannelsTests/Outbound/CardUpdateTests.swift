import Channels
import Core
import Testing

/// Once decided (or expired), a card's buttons are replaced by the outcome.
@Suite struct CardUpdateTests {
    let outcome = ApprovalOutcome(status: .approved, decidedBy: "Ada")

    @Test func theOutcomeNamesWhoDecidedAndWhat() {
        #expect(outcome.text(for: sampleCard) == "✅ Approved by Ada: POST api.github.com/repos/acme/app/pulls")
        #expect(ApprovalOutcome(status: .denied, decidedBy: "Ada", reason: "not today").text(for: sampleCard)
            == "❌ Denied by Ada (not today): POST api.github.com/repos/acme/app/pulls")
        #expect(ApprovalOutcome(status: .expired).text(for: sampleCard).hasPrefix("⌛ Expired: "))
    }

    @Test func slackUsesTheResponseURLWithoutATokenWhenItHasOne() throws {
        let handle = CardHandle.slack(channelID: "C1", messageTS: "1548261231.000200", responseURL: "https://hooks.slack.com/actions/T1/1/abc")
        let request = ChannelOutbound.cardUpdate(handle, card: sampleCard, outcome: outcome, credential: placeholder)
        #expect(request.url == "https://hooks.slack.com/actions/T1/1/abc")
        #expect(request.headers["Authorization"] == nil)
        #expect(request.credential == CredentialPlacement.none)
        let body = try request.json()
        #expect(body.at("replace_original") == .bool(true))
        #expect(body.count("blocks") == 1)
    }

    @Test func slackUsesChatUpdateOtherwise() throws {
        let handle = try #require(CardHandle.posted(in: thread(.slack, conversation: "C1"), messageID: "1548261231.000200"))
        let request = ChannelOutbound.cardUpdate(handle, card: sampleCard, outcome: outcome, credential: placeholder)
        #expect(request.url == "https://slack.com/api/chat.update")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        let body = try request.json()
        #expect(body.string("channel") == "C1")
        #expect(body.string("ts") == "1548261231.000200")
        #expect(body.string("blocks.0.text.text")?.contains("Approved by Ada") == true)
        #expect(body.count("blocks") == 1)
    }

    @Test func telegramEditsTheTextAndDropsTheKeyboard() throws {
        let handle = CardHandle.telegram(chatID: "-1001234567890", messageID: "2250", callbackQueryID: "4382bfdwdsb323b2d9")
        let request = ChannelOutbound.cardUpdate(handle, card: sampleCard, outcome: outcome, credential: placeholder)
        #expect(request.url == "https://api.telegram.org/bot\(placeholder)/editMessageText")
        let body = try request.json()
        #expect(body.at("chat_id") == .integer(-1001234567890))
        #expect(body.at("message_id") == .integer(2250))
        #expect(body.at("reply_markup") == nil)
        let answer = ChannelOutbound.telegramCallbackAnswer(queryID: "4382bfdwdsb323b2d9", text: "Approved", credential: placeholder)
        #expect(answer.url == "https://api.telegram.org/bot\(placeholder)/answerCallbackQuery")
        #expect(try answer.json().string("callback_query_id") == "4382bfdwdsb323b2d9")
    }

    @Test func discordEditsThroughTheInteractionOrAsTheBot() throws {
        let interaction = DiscordInteractionRef(applicationID: "11869105236066", interactionID: "846462639134605312", token: "unique_interaction_token")
        let viaClick = ChannelOutbound.cardUpdate(.discord(channelID: "345626669114982999", messageID: "844397162624450620", interaction: interaction),
                                                  card: sampleCard, outcome: outcome, credential: placeholder)
        #expect(viaClick.method == "PATCH")
        #expect(viaClick.url == "https://discord.com/api/v10/webhooks/11869105236066/unique_interaction_token/messages/@original")
        #expect(viaClick.headers["Authorization"] == nil)
        #expect(try viaClick.json().count("components") == 0)

        let handle = try #require(CardHandle.posted(in: thread(.discord, conversation: "345626669114982999"), messageID: "844397162624450620"))
        let asBot = ChannelOutbound.cardUpdate(handle, card: sampleCard, outcome: outcome, credential: placeholder)
        #expect(asBot.url == "https://discord.com/api/v10/channels/345626669114982999/messages/844397162624450620")
        #expect(asBot.headers["Authorization"] == "Bot \(placeholder)")

        let response = ChannelOutbound.discordUpdateMessageResponse(card: sampleCard, outcome: outcome)
        let json = try #require(JSONValue.decode(response.bodyText) as JSONValue?)
        #expect(json.at("type") == .integer(7))
        #expect(json.count("data.components") == 0)
        #expect(json.string("data.content")?.contains("Approved by Ada") == true)
    }

    @Test func teamsReplacesTheActivity() throws {
        let handle = CardHandle.teams(serviceURL: "https://smba.trafficmanager.net/amer/",
                                      conversationID: "19:253b@thread.tacv2;messageid=1485983408511", activityID: "1661500003210")
        let request = ChannelOutbound.cardUpdate(handle, card: sampleCard, outcome: outcome, credential: placeholder)
        #expect(request.method == "PUT")
        #expect(request.url == "https://smba.trafficmanager.net/amer/v3/conversations/19%3A253b%40thread.tacv2%3Bmessageid%3D1485983408511/activities/1661500003210")
        let body = try request.json()
        #expect(body.string("id") == "1661500003210")
        #expect(body.at("attachments.0.content.actions") == nil)
        #expect(body.string("attachments.0.content.body.0.text")?.contains("Approved by Ada") == true)
    }

    @Test func googleChatPatchesTheMessage() throws {
        let request = ChannelOutbound.cardUpdate(.googleChat(messageName: "spaces/AAA/messages/GGG.GGG"), card: sampleCard,
                                                 outcome: outcome, credential: placeholder)
        #expect(request.method == "PATCH")
        #expect(request.url == "https://chat.googleapis.com/v1/spaces/AAA/messages/GGG.GGG?updateMask=text,cardsV2")
        #expect(try request.json().count("cardsV2") == 0)
    }

    @Test func textOnlyPlatformsHaveNoCardToUpdate() {
        #expect(CardHandle.posted(in: thread(.github, conversation: "o/r", thread: "issues/1"), messageID: "1") == nil)
        #expect(CardHandle.posted(in: thread(.whatsapp, conversation: "1"), messageID: "wamid") == nil)
        #expect(CardHandle.posted(in: thread(.teams, conversation: "a:1"), messageID: "1") == nil)
    }
}
