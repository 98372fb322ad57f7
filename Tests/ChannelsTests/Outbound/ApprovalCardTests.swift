import Channels
import Core
import Foundation
import Testing

/// Approval cards carry the approval id on both buttons, in the form the parsers read back.
@Suite struct ApprovalCardTests {
    let approve = "approve:\(approvalID)"
    let deny = "deny:\(approvalID)"

    @Test func slackBlocksHaveApproveAndDenyButtons() throws {
        let target = ReplyTarget(thread: thread(.slack, conversation: "C123", thread: "1515449522.000016"))
        let request = try ChannelOutbound.approvalCard(sampleCard, to: target, credential: placeholder)
        #expect(request.url == "https://slack.com/api/chat.postMessage")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        let body = try request.json()
        #expect(body.string("thread_ts") == "1515449522.000016")
        #expect(body.string("text")?.contains(sampleCard.summary) == true)
        #expect(body.string("blocks.0.type") == "section")
        #expect(body.string("blocks.0.text.text")?.contains("Dependency updates") == true)
        #expect(body.string("blocks.1.type") == "actions")
        #expect(body.count("blocks.1.elements") == 2)
        #expect(body.string("blocks.1.elements.0.action_id") == approve)
        #expect(body.string("blocks.1.elements.0.value") == approvalID)
        #expect(body.string("blocks.1.elements.0.style") == "primary")
        #expect(body.string("blocks.1.elements.1.action_id") == deny)
        #expect(body.string("blocks.1.elements.1.style") == "danger")
    }

    @Test func slackSectionTextIsCutTo3000Characters() throws {
        var card = sampleCard
        card.summary = String(repeating: "long ", count: 1000)
        let request = try ChannelOutbound.approvalCard(card, to: ReplyTarget(thread: thread(.slack, conversation: "C1")), credential: placeholder)
        let text = try #require(try request.json().string("blocks.0.text.text"))
        #expect(text.count <= 3000)
        #expect(text.hasSuffix("…"))
    }

    @Test func telegramInlineKeyboardCarriesCallbackData() throws {
        let target = ReplyTarget(thread: thread(.telegram, conversation: "-1001234567890"))
        let body = try ChannelOutbound.approvalCard(sampleCard, to: target, credential: placeholder).json()
        #expect(body.count("reply_markup.inline_keyboard.0") == 2)
        #expect(body.string("reply_markup.inline_keyboard.0.0.text") == "Approve")
        #expect(body.string("reply_markup.inline_keyboard.0.0.callback_data") == approve)
        #expect(body.string("reply_markup.inline_keyboard.0.1.callback_data") == deny)
        #expect(body.string("text")?.hasPrefix("Approval requested\nPOST api.github.com") == true)
    }

    @Test func discordComponentsAreTwoButtonsWithCustomIDs() throws {
        let target = ReplyTarget(thread: thread(.discord, conversation: "645027906669510667"))
        let body = try ChannelOutbound.approvalCard(sampleCard, to: target, credential: placeholder).json()
        #expect(body.at("components.0.type") == .integer(1))
        #expect(body.count("components.0.components") == 2)
        #expect(body.at("components.0.components.0.type") == .integer(2))
        #expect(body.at("components.0.components.0.style") == .integer(3))
        #expect(body.string("components.0.components.0.custom_id") == approve)
        #expect(body.at("components.0.components.1.style") == .integer(4))
        #expect(body.string("components.0.components.1.custom_id") == deny)
    }

    @Test func teamsAdaptiveCardHasActionExecuteButtons() throws {
        let target = ReplyTarget(thread: thread(.teams, conversation: "a:1", serviceURL: "https://smba.trafficmanager.net/amer/"),
                                 anchorMessageID: "1592945163498")
        let body = try ChannelOutbound.approvalCard(sampleCard, to: target, credential: placeholder).json()
        #expect(body.string("attachments.0.contentType") == "application/vnd.microsoft.card.adaptive")
        #expect(body.string("attachments.0.content.type") == "AdaptiveCard")
        #expect(body.count("attachments.0.content.actions") == 2)
        #expect(body.string("attachments.0.content.actions.0.type") == "Action.Execute")
        #expect(body.string("attachments.0.content.actions.0.verb") == "approve")
        #expect(body.string("attachments.0.content.actions.0.data.approvalId") == approvalID)
        #expect(body.string("attachments.0.content.actions.1.verb") == "deny")
        #expect(body.string("attachments.0.content.actions.1.data.approvalId") == approvalID)
    }

    @Test func googleChatCardsV2ButtonsInvokeApproveAndDeny() throws {
        let target = ReplyTarget(thread: thread(.googleChat, conversation: "spaces/AAA", thread: "spaces/AAA/threads/BBB"))
        let body = try ChannelOutbound.approvalCard(sampleCard, to: target, credential: placeholder).json()
        #expect(body.string("cardsV2.0.cardId") == "approval-\(approvalID)")
        let buttons = "cardsV2.0.card.sections.0.widgets.1.buttonList.buttons"
        #expect(body.count(buttons) == 2)
        #expect(body.string("\(buttons).0.onClick.action.function") == "approve")
        #expect(body.string("\(buttons).0.onClick.action.parameters.0.key") == "approvalId")
        #expect(body.string("\(buttons).0.onClick.action.parameters.0.value") == approvalID)
        #expect(body.string("\(buttons).1.onClick.action.function") == "deny")
        #expect(body.string("thread.name") == "spaces/AAA/threads/BBB")
    }

    @Test(arguments: [
        ReplyTarget(thread: thread(.github, conversation: "octocat/Hello-World", thread: "issues/1347")),
        ReplyTarget(thread: thread(.linear, conversation: "c7b5f3a2")),
        ReplyTarget(thread: thread(.whatsapp, workspace: "106540352242922", conversation: "16505551234")),
    ])
    func textPlatformsGetTheCommandsToType(target: ReplyTarget) throws {
        let request = try ChannelOutbound.approvalCard(sampleCard, to: target, credential: placeholder)
        let body = try request.json()
        let text = try #require(body.string("body") ?? body.string("variables.input.body") ?? body.string("text.body"))
        #expect(text.contains("/approve \(approvalID)"))
        #expect(text.contains("/deny \(approvalID)"))
        #expect(text.contains(sampleCard.summary))
        // What the card tells people to type is what the parsers read.
        #expect(ApprovalCommand.parseText("/approve \(approvalID)")?.approvalID == approvalID)
    }

    // MARK: approvers are mentioned where the platform can mention by id

    func withApprovers(_ ids: [String]) -> ApprovalCard {
        var card = sampleCard
        card.approvers = ids
        return card
    }

    @Test func slackCardMentionsTheApproversAndDropsIDsThatAreNotSlacks() throws {
        let card = withApprovers(["U024BE7LH", "W0G9QF9GW", "<!channel>", "u lower"])
        let body = try ChannelOutbound.approvalCard(card, to: ReplyTarget(thread: thread(.slack, conversation: "C1")),
                                                    credential: placeholder).json()
        #expect(body.string("text")?.hasSuffix(" <@U024BE7LH> <@W0G9QF9GW>") == true)
        #expect(body.string("blocks.1.type") == "context")
        #expect(body.string("blocks.1.elements.0.text") == "Approvers: <@U024BE7LH> <@W0G9QF9GW>")
        #expect(body.string("blocks.2.type") == "actions")
        #expect(body.string("text")?.contains("channel") == false)
    }

    @Test func slackCardWithoutApproversHasNoMentionBlock() throws {
        let body = try ChannelOutbound.approvalCard(sampleCard, to: ReplyTarget(thread: thread(.slack, conversation: "C1")),
                                                    credential: placeholder).json()
        #expect(body.count("blocks") == 2)
    }

    @Test func discordCardPingsOnlyTheApprovers() throws {
        let card = withApprovers(["80351110224678912", "@everyone", "1234x"])
        let body = try ChannelOutbound.approvalCard(card, to: ReplyTarget(thread: thread(.discord, conversation: "6450")),
                                                    credential: placeholder).json()
        #expect(body.string("content")?.hasSuffix("\nApprovers: <@80351110224678912>") == true)
        #expect(body.count("allowed_mentions.parse") == 0)
        #expect(body.count("allowed_mentions.users") == 1)
        #expect(body.string("allowed_mentions.users.0") == "80351110224678912")
    }

    @Test func discordCardKeepsTheMentionWhenTheTextIsCut() throws {
        var card = withApprovers(["80351110224678912"])
        card.details = String(repeating: "x", count: 5000)
        let body = try ChannelOutbound.approvalCard(card, to: ReplyTarget(thread: thread(.discord, conversation: "6450")),
                                                    credential: placeholder).json()
        let content = try #require(body.string("content"))
        #expect(content.utf16.count <= 2000)
        #expect(content.hasSuffix("<@80351110224678912>"))
    }

    @Test func telegramCardMentionsApproversWithTextMentionEntitiesAtUTF16Offsets() throws {
        var card = withApprovers(["123456789", "-5", "abc"])
        card.summary = "POST 🚀 api.github.com/repos"
        let body = try ChannelOutbound.approvalCard(card, to: ReplyTarget(thread: thread(.telegram, conversation: "-100123")),
                                                    credential: placeholder).json()
        let text = try #require(body.string("text"))
        #expect(text.hasSuffix("\nApprovers: 123456789"))
        #expect(body.count("entities") == 1)
        #expect(body.string("entities.0.type") == "text_mention")
        #expect(body.at("entities.0.user.id") == .integer(123456789))
        let offset = try #require({ if case .integer(let n) = body.at("entities.0.offset") { Int(n) } else { nil } }())
        let utf16 = Array(text.utf16)
        #expect(String(decoding: utf16[offset..<(offset + 9)], as: UTF16.self) == "123456789")
        #expect(body.at("entities.0.length") == .integer(9))
    }

    @Test func teamsCardMentionsApproversWithMentionEntities() throws {
        let card = withApprovers(["29:1A2b-3c_4.d", "<at>x</at>"])
        let target = ReplyTarget(thread: thread(.teams, conversation: "a:1", serviceURL: "https://smba.trafficmanager.net/amer/"))
        let body = try ChannelOutbound.approvalCard(card, to: target, credential: placeholder).json()
        let lines = try #require(body.at("attachments.0.content.body"))
        guard case .array(let blocks) = lines, case .object(let last)? = blocks.last else { Issue.record("no body"); return }
        #expect(last["text"] == .string("Approvers: <at>29:1A2b-3c_4.d</at>"))
        #expect(body.count("attachments.0.content.msteams.entities") == 1)
        #expect(body.string("attachments.0.content.msteams.entities.0.type") == "mention")
        #expect(body.string("attachments.0.content.msteams.entities.0.text") == "<at>29:1A2b-3c_4.d</at>")
        #expect(body.string("attachments.0.content.msteams.entities.0.mentioned.id") == "29:1A2b-3c_4.d")
    }

    @Test func googleChatCardMentionsApproversInTheMessageText() throws {
        let card = withApprovers(["users/1234567890", "users/all", "spaces/x", "users/"])
        let target = ReplyTarget(thread: thread(.googleChat, conversation: "spaces/AAA"))
        let body = try ChannelOutbound.approvalCard(card, to: target, credential: placeholder).json()
        #expect(body.string("text") == "Approvers: <users/1234567890> <users/all>")
        let plain = try ChannelOutbound.approvalCard(sampleCard, to: target, credential: placeholder).json()
        #expect(plain.string("text") == nil)
    }

    @Test func cardsStoredBeforeApproversExistedStillDecode() throws {
        let stored = #"{"approvalID":"apr_1","summary":"POST x"}"#
        let card = try JSONDecoder().decode(ApprovalCard.self, from: Data(stored.utf8))
        #expect(card.approvers == nil)
    }

    @Test func buttonsRoundTripThroughTheParsers() throws {
        for value in [approve, deny] {
            let command = try #require(ApprovalCommand.parseButton(value))
            #expect(command.approvalID == approvalID)
        }
    }
}
