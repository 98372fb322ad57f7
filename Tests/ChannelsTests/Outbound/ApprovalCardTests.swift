import Channels
import Core
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

    @Test func buttonsRoundTripThroughTheParsers() throws {
        for value in [approve, deny] {
            let command = try #require(ApprovalCommand.parseButton(value))
            #expect(command.approvalID == approvalID)
        }
    }
}
