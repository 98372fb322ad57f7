/// The requests that answer on a platform, whichever it is. Each is complete but for the bot
/// token, whose placeholder (`credential`) the credential proxy replaces; none is sent here.
public enum ChannelOutbound {
    /// `text` as one or more messages within the platform's limit, in order; the first attaches to
    /// the target's anchor where the platform threads by message. Empty for blank text.
    public static func replies(_ text: String, to target: ReplyTarget, credential: String) throws(OutboundError) -> [OutboundRequest] {
        try outbound(target.thread.platform).replies(text, to: target, credential: credential)
    }

    /// A card with Approve and Deny buttons, or on GitHub, Linear and WhatsApp the prompt as text
    /// with the `/approve apr_…` and `/deny apr_…` commands to type.
    public static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) throws(OutboundError) -> OutboundRequest {
        try outbound(target.thread.platform).approvalCard(card, to: target, credential: credential)
    }

    /// The request that replaces a card's buttons with its outcome. Slack's `response_url` and a
    /// Discord click's interaction are used when the handle has them: they need no token.
    public static func cardUpdate(_ handle: CardHandle, card: ApprovalCard, outcome: ApprovalOutcome, credential: String) -> OutboundRequest {
        switch handle {
        case .slack(let channelID, let messageTS, let responseURL):
            if let responseURL { return SlackOutbound.cardUpdate(responseURL: responseURL, card: card, outcome: outcome) }
            return SlackOutbound.cardUpdate(channelID: channelID, messageTS: messageTS, card: card, outcome: outcome, credential: credential)
        case .telegram(let chatID, let messageID, _):
            return TelegramOutbound.cardUpdate(chatID: chatID, messageID: messageID, card: card, outcome: outcome, credential: credential)
        case .discord(let channelID, let messageID, let interaction):
            return DiscordOutbound.cardUpdate(channelID: channelID, messageID: messageID, interaction: interaction,
                                              card: card, outcome: outcome, credential: credential)
        case .teams(let serviceURL, let conversationID, let activityID):
            return TeamsOutbound.cardUpdate(serviceURL: serviceURL, conversationID: conversationID, activityID: activityID,
                                            card: card, outcome: outcome, credential: credential)
        case .googleChat(let messageName):
            return GoogleChatOutbound.cardUpdate(messageName: messageName, card: card, outcome: outcome, credential: credential)
        }
    }

    /// Telegram's answer to a button press, which stops its spinner; `text` shows as a toast.
    public static func telegramCallbackAnswer(queryID: String, text: String?, credential: String) -> OutboundRequest {
        TelegramOutbound.answerCallbackQuery(queryID, text: text, credential: credential)
    }

    /// Discord's UPDATE_MESSAGE interaction response, for answering a click in the webhook
    /// response itself when the outcome is already known.
    public static func discordUpdateMessageResponse(card: ApprovalCard, outcome: ApprovalOutcome) -> WebhookReply {
        DiscordOutbound.updateMessageResponse(card: card, outcome: outcome)
    }

    private static func outbound(_ platform: ChannelPlatform) -> any PlatformOutbound.Type {
        switch platform {
        case .slack: return SlackOutbound.self
        case .telegram: return TelegramOutbound.self
        case .discord: return DiscordOutbound.self
        case .whatsapp: return WhatsAppOutbound.self
        case .github: return GitHubOutbound.self
        case .linear: return LinearOutbound.self
        case .teams: return TeamsOutbound.self
        case .googleChat: return GoogleChatOutbound.self
        }
    }
}
