import Core

/// Discord REST API v10: channel messages with the bot token, buttons as message components, and
/// card updates through the click's interaction (no token) or the bot.
/// https://discord.com/developers/docs/resources/message#create-message
enum DiscordOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.discord
    static let api = "https://discord.com/api/v10"
    /// Discord refuses bot requests without a `DiscordBot (…, version)` user agent; Warden has
    /// no public URL to put in it.
    static let userAgent = "DiscordBot (warden, 1.0)"

    /// Discord's button styles.
    enum ButtonStyle: Int { case success = 3, danger = 4 }

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) -> OutboundRequest {
        createMessage(in: target, fields: [
            "content": .string(text),
            "message_reference": isFirst ? target.anchorMessageID.map(reference) : nil,
        ], credential: credential)
    }

    static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) -> OutboundRequest {
        // Snowflakes are digits only; the mention ends the card, so truncation never cuts one.
        let approvers = card.approvers(ofBytes: \.isASCIIDigit)
        let mentions = approvers.isEmpty ? "" : "\nApprovers: " + approvers.map { "<@\($0)>" }.joined(separator: " ")
        let limit = TextLimit.utf16(platform.messageLimit.maximum - mentions.utf16.count)
        return createMessage(in: target, fields: [
            "content": .string(limit.truncating(cardContent(card)) + mentions),
            // Pings the approvers and nobody else (no @everyone, roles or other users).
            "allowed_mentions": .fields(["parse": .array([]), "users": .array(approvers.map(JSONValue.string))]),
            "components": .array([.fields(["type": .int(1), "components": .array([
                button("Approve", .approve, .success, card.approvalID),
                button("Deny", .deny, .danger, card.approvalID),
            ])])]),
        ], credential: credential)
    }

    /// The card's message edited to the outcome, buttons removed: through the click's interaction
    /// webhook when there is one (acknowledged with DEFERRED_UPDATE_MESSAGE, valid 15 minutes,
    /// no token), otherwise as the bot.
    static func cardUpdate(channelID: String, messageID: String, interaction: DiscordInteractionRef?,
                           card: ApprovalCard, outcome: ApprovalOutcome, credential: String) -> OutboundRequest {
        let body = outcomeMessage(card, outcome)
        if let interaction {
            return .json("PATCH", "\(api)/webhooks/\(URLPath.segment(interaction.applicationID))/\(URLPath.segment(interaction.token))/messages/@original",
                         body, authorization: nil, extraHeaders: [("User-Agent", userAgent)])
        }
        return .json("PATCH", "\(api)/channels/\(URLPath.segment(channelID))/messages/\(URLPath.segment(messageID))",
                     body, authorization: "Bot \(credential)", extraHeaders: [("User-Agent", userAgent)])
    }

    /// UPDATE_MESSAGE (type 7), for answering a click in the webhook response itself when the
    /// outcome is known before the response is sent.
    static func updateMessageResponse(card: ApprovalCard, outcome: ApprovalOutcome) -> WebhookReply {
        WebhookReply(contentType: "application/json",
                     body: JSONValue.fields(["type": .int(7), "data": outcomeMessage(card, outcome)]).jsonBytes)
    }

    private static func createMessage(in target: ReplyTarget, fields: KeyValuePairs<String, JSONValue?>,
                                      credential: String) -> OutboundRequest {
        var body: [String: JSONValue] = [
            // An agent's text must not ping @everyone, roles or users.
            "allowed_mentions": .fields(["parse": .array([])]),
        ]
        for (key, value) in fields { if let value { body[key] = value } }
        return .json("POST", "\(api)/channels/\(URLPath.segment(target.thread.conversationID))/messages", .object(body),
                     authorization: "Bot \(credential)", extraHeaders: [("User-Agent", userAgent)])
    }

    private static func reference(_ messageID: String) -> JSONValue {
        .fields(["message_id": .string(messageID), "fail_if_not_exists": .bool(false)])
    }

    private static func cardContent(_ card: ApprovalCard) -> String {
        "**\(ApprovalCard.title)**\n" + card.bodyLines.joined(separator: "\n")
    }

    private static func outcomeMessage(_ card: ApprovalCard, _ outcome: ApprovalOutcome) -> JSONValue {
        .fields(["content": .string(platform.messageLimit.truncating(outcome.text(for: card))),
                 "components": .array([]),
                 "allowed_mentions": .fields(["parse": .array([])])])
    }

    private static func button(_ label: String, _ decision: ApprovalDecision, _ style: ButtonStyle, _ approvalID: String) -> JSONValue {
        .fields(["type": .int(2), "style": .int(style.rawValue), "label": .string(label),
                 "custom_id": .string(ApprovalCommand.buttonValue(decision, approvalID: approvalID))])
    }
}
