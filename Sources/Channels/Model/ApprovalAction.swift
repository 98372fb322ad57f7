/// A person's approve or deny, from a card button or a text command. Whether they may decide
/// (a listed approver of the channel) is checked later, against `actor.id`.
public struct ApprovalAction: Sendable, Equatable, Codable {
    public var approvalID: String
    public var decision: ApprovalDecision
    public var actor: ChannelAuthor
    /// Where the action happened: the card's conversation, or the command's thread.
    public var thread: ThreadRef
    public var reason: String?
    /// The retry-stable delivery id where the platform has one; nil for clicks the platform does
    /// not retry. Deciding twice is harmless anyway (the second decision gets 409).
    public var deliveryID: String?
    /// The card that was clicked, to show the outcome on it; nil for a text command.
    public var card: CardHandle?

    public init(approvalID: String, decision: ApprovalDecision, actor: ChannelAuthor, thread: ThreadRef,
                reason: String? = nil, deliveryID: String? = nil, card: CardHandle? = nil) {
        self.approvalID = approvalID
        self.decision = decision
        self.actor = actor
        self.thread = thread
        self.reason = reason
        self.deliveryID = deliveryID
        self.card = card
    }

    public var platform: ChannelPlatform { thread.platform }
}

/// The two answers to an approval; the raw values are those of `POST /v1/approvals/{id}/decision`.
public enum ApprovalDecision: String, Sendable, CaseIterable, Codable {
    case approve, deny
}

/// What it takes to change a posted approval card later (to show who decided, or that it
/// expired). Built from a click, or with `posted(in:messageID:)` from the id the platform
/// returned when the card was posted. A click's `responseURL` and Discord interaction token are
/// short-lived capabilities (30 and 15 minutes): keep them out of logs.
public enum CardHandle: Sendable, Hashable, Codable {
    /// `response_url` comes only with a click; `chat.update` needs channel and ts.
    case slack(channelID: String, messageTS: String, responseURL: String?)
    /// `callbackQueryID` comes only with a click, and must be answered to stop the spinner.
    case telegram(chatID: String, messageID: String, callbackQueryID: String?)
    case discord(channelID: String, messageID: String, interaction: DiscordInteractionRef?)
    /// `conversationID` is the full Teams id, including any `;messageid=` thread suffix.
    case teams(serviceURL: String, conversationID: String, activityID: String)
    case googleChat(messageName: String)

    /// The handle of a card Warden posted into `thread`, from the message id the platform
    /// answered with. Nil for platforms whose approval prompt is plain text (WhatsApp, GitHub,
    /// Linear), or when the thread lacks what the platform needs (a Teams service URL).
    public static func posted(in thread: ThreadRef, messageID: String) -> CardHandle? {
        switch thread.platform {
        case .slack: return .slack(channelID: thread.conversationID, messageTS: messageID, responseURL: nil)
        case .telegram: return .telegram(chatID: thread.conversationID, messageID: messageID, callbackQueryID: nil)
        case .discord: return .discord(channelID: thread.conversationID, messageID: messageID, interaction: nil)
        case .teams:
            guard let serviceURL = thread.serviceURL else { return nil }
            return .teams(serviceURL: serviceURL, conversationID: TeamsConversationID.join(thread), activityID: messageID)
        case .googleChat: return .googleChat(messageName: messageID)
        case .whatsapp, .github, .linear: return nil
        }
    }
}

/// A Discord interaction, whose token (valid 15 minutes) lets Warden answer it without the bot token.
public struct DiscordInteractionRef: Sendable, Hashable, Codable {
    public var applicationID: String
    public var interactionID: String
    public var token: String

    public init(applicationID: String, interactionID: String, token: String) {
        self.applicationID = applicationID
        self.interactionID = interactionID
        self.token = token
    }
}

/// Teams puts a channel thread into the conversation id (`19:…@thread.tacv2;messageid=123`);
/// Warden keeps the two apart in `ThreadRef` and joins them again for the API.
enum TeamsConversationID {
    static let threadMarker = ";messageid="

    static func split(_ id: String) -> (conversation: String, thread: String?) {
        guard let range = id.range(of: threadMarker) else { return (id, nil) }
        return (String(id[..<range.lowerBound]), String(id[range.upperBound...]))
    }

    static func join(_ thread: ThreadRef) -> String {
        guard let threadID = thread.threadID else { return thread.conversationID }
        return thread.conversationID + threadMarker + threadID
    }
}
