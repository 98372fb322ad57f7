import Core

/// Slack Web API: `chat.postMessage` into the thread, Block Kit cards, `chat.update` and
/// `response_url` to show the outcome. https://api.slack.com/methods/chat.postMessage
enum SlackOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.slack
    static let api = "https://slack.com/api/"

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) -> OutboundRequest {
        post("chat.postMessage", .fields([
            "channel": .string(target.thread.conversationID),
            "thread_ts": .optional(target.thread.threadID),
            "text": .string(SlackText.escape(text)),
        ]), credential: credential)
    }

    static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) -> OutboundRequest {
        let buttons: [JSONValue] = [
            button("Approve", .approve, style: "primary", card.approvalID),
            button("Deny", .deny, style: "danger", card.approvalID),
        ]
        return post("chat.postMessage", .fields([
            "channel": .string(target.thread.conversationID),
            "thread_ts": .optional(target.thread.threadID),
            // The notification and screen-reader text; the blocks are what people see.
            "text": .string(SlackText.escape("\(ApprovalCard.title): \(card.summary)") + mentions(card)),
            "blocks": .array(cardText(card) + [.fields([
                "type": .string("actions"),
                "block_id": .string("warden_approval"),
                "elements": .array(buttons),
            ])]),
        ]), credential: credential)
    }

    /// `chat.update` replaces the card's blocks with the outcome, buttons gone.
    static func cardUpdate(channelID: String, messageTS: String, card: ApprovalCard, outcome: ApprovalOutcome,
                           credential: String) -> OutboundRequest {
        post("chat.update", .fields([
            "channel": .string(channelID),
            "ts": .string(messageTS),
            "text": .string(SlackText.escape(outcome.text(for: card))),
            "blocks": .array(outcomeBlocks(card, outcome)),
        ]), credential: credential)
    }

    /// The same through the click's `response_url`, which needs no token (valid 30 minutes).
    static func cardUpdate(responseURL: String, card: ApprovalCard, outcome: ApprovalOutcome) -> OutboundRequest {
        .json("POST", responseURL, .fields([
            "replace_original": .bool(true),
            "text": .string(SlackText.escape(outcome.text(for: card))),
            "blocks": .array(outcomeBlocks(card, outcome)),
        ]), authorization: nil)
    }

    private static func post(_ method: String, _ body: JSONValue, credential: String) -> OutboundRequest {
        .json("POST", api + method, body, authorization: bearer(credential))
    }

    private static func section(_ text: String) -> JSONValue {
        .fields(["type": .string("section"),
                 "text": .fields(["type": .string("mrkdwn"), "text": .string(SlackText.escape(slackSectionLimit.truncating(text)))])])
    }

    private static func cardText(_ card: ApprovalCard) -> [JSONValue] {
        var blocks = [section("*\(ApprovalCard.title)*\n" + card.bodyLines.joined(separator: "\n"))]
        let mentions = mentions(card)
        if !mentions.isEmpty {
            blocks.append(.fields(["type": .string("context"),
                                   "elements": .array([.fields(["type": .string("mrkdwn"), "text": .string("Approvers:" + mentions)])])]))
        }
        return blocks
    }

    /// ` <@U…> <@W…>`: Slack user ids are upper-case letters and digits; anything else is dropped
    /// rather than escaped, since `<@…>` is the markup itself.
    private static func mentions(_ card: ApprovalCard) -> String {
        card.approvers(ofBytes: { $0.isASCIIUppercase || $0.isASCIIDigit }).map { " <@\($0)>" }.joined()
    }

    private static func outcomeBlocks(_ card: ApprovalCard, _ outcome: ApprovalOutcome) -> [JSONValue] {
        [section(outcome.text(for: card))]
    }

    /// `action_id` carries the decision and the id (unique in the message, as Slack requires);
    /// `value` carries the id alone.
    private static func button(_ label: String, _ decision: ApprovalDecision, style: String, _ approvalID: String) -> JSONValue {
        .fields([
            "type": .string("button"),
            "text": .fields(["type": .string("plain_text"), "text": .string(label)]),
            "style": .string(style),
            "action_id": .string(ApprovalCommand.buttonValue(decision, approvalID: approvalID)),
            "value": .string(approvalID),
        ])
    }
}
