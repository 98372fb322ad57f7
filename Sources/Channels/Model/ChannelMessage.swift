/// A person's message from any platform, in one shape: what the session mapping, dedupe and the
/// agent need, and nothing platform-specific beyond the ids to answer with.
public struct ChannelMessage: Sendable, Equatable, Codable {
    /// The platform's retry-stable id of the delivery (Slack `event_id`, `X-GitHub-Delivery`,
    /// Telegram `update_id`, …): the first dedupe, for 24 h.
    public var deliveryID: String
    /// The message itself, unique within the platform and workspace: the second dedupe. Two
    /// deliveries of one message (Slack's `message` and `app_mention`) share it.
    public var messageID: String
    public var thread: ThreadRef
    public var author: ChannelAuthor
    /// The text with the bot's own mention removed and surrounding whitespace trimmed.
    public var text: String
    /// Platform ids of the other people mentioned; the bot is reported in `mentionsBot` instead.
    public var mentions: [String]
    public var mentionsBot: Bool
    /// A one-to-one conversation with the bot (Slack IM, Telegram private chat, Teams personal,
    /// Google Chat DM, WhatsApp).
    public var isDirect: Bool
    /// The platform id of the message this one answers, if the person replied to one.
    public var replyTo: String?
    /// The platform id our answer should attach to; see `ReplyTarget.anchorMessageID`.
    public var replyAnchor: String?

    public init(deliveryID: String, messageID: String, thread: ThreadRef, author: ChannelAuthor, text: String,
                mentions: [String] = [], mentionsBot: Bool = false, isDirect: Bool = false,
                replyTo: String? = nil, replyAnchor: String? = nil) {
        self.deliveryID = deliveryID
        self.messageID = messageID
        self.thread = thread
        self.author = author
        self.text = text
        self.mentions = mentions
        self.mentionsBot = mentionsBot
        self.isDirect = isDirect
        self.replyTo = replyTo
        self.replyAnchor = replyAnchor
    }

    public var platform: ChannelPlatform { thread.platform }

    public var replyTarget: ReplyTarget { ReplyTarget(thread: thread, anchorMessageID: replyAnchor) }

    public func sessionKey(_ scope: SessionScope) -> String { thread.sessionKey(scope, authorID: author.id) }
}

/// Who wrote a message or clicked a button, as the platform names them.
public struct ChannelAuthor: Sendable, Hashable, Codable {
    public var id: String
    public var displayName: String?
    /// Another bot or integration (never Warden's own bot: its messages are ignored).
    public var isBot: Bool

    public init(id: String, displayName: String? = nil, isBot: Bool = false) {
        self.id = id
        self.displayName = displayName
        self.isBot = isBot
    }
}
