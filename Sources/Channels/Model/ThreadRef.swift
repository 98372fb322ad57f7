/// Where a message lives on its platform, precisely enough to answer in the same place.
///
/// `conversationID` is what the platform calls a channel, chat, space or repository; `threadID`
/// narrows it to one thread inside it, when the platform has threads. The three session keys
/// are the stable names the sessions policy maps to one Warden session each.
public struct ThreadRef: Sendable, Hashable, Codable {
    public var platform: ChannelPlatform
    /// The tenant the conversation belongs to, where ids are only unique inside one: Slack team,
    /// Discord guild, Teams tenant, WhatsApp business phone number id, Linear organization.
    public var workspaceID: String?
    /// Slack channel, Telegram chat id, Discord channel, WhatsApp user (wa_id), GitHub
    /// `owner/repo`, Linear issue id, Teams conversation (without `;messageid=`), Google Chat space.
    public var conversationID: String
    /// Slack `thread_ts` (a top-level message's own ts: a reply starts its thread), Telegram forum
    /// topic, GitHub `issues/42` or `pulls/42/comments/{root}`, Linear root comment, Teams channel
    /// thread (`;messageid=`), Google Chat thread name. Nil where the platform has no threads.
    public var threadID: String?
    /// Where replies must be posted when the platform says so per conversation (Teams `serviceUrl`).
    public var serviceURL: String?

    public init(platform: ChannelPlatform, workspaceID: String? = nil, conversationID: String,
                threadID: String? = nil, serviceURL: String? = nil) {
        self.platform = platform
        self.workspaceID = workspaceID
        self.conversationID = conversationID
        self.threadID = threadID
        self.serviceURL = serviceURL
    }

    /// One session per thread: every message of a thread maps here.
    public var threadKey: String { [channelKey, threadID ?? ""].joined(separator: "|") }

    /// One session per channel: every thread of the conversation maps here.
    public var channelKey: String { [platform.rawValue, workspaceID ?? "", conversationID].joined(separator: "|") }

    /// One session per person on this platform and workspace, wherever they write.
    public func userKey(authorID: String) -> String {
        [platform.rawValue, workspaceID ?? "", "user", authorID].joined(separator: "|")
    }

    public func sessionKey(_ scope: SessionScope, authorID: String) -> String {
        switch scope {
        case .thread: return threadKey
        case .channel: return channelKey
        case .user: return userKey(authorID: authorID)
        }
    }
}

/// The sessions policy of a channel (issue #7): which messages share one session.
public enum SessionScope: String, Sendable, CaseIterable, Codable {
    case thread, channel, user
}

/// Where an answer goes: the thread, and the platform's own id of the message it should attach
/// to (Telegram `reply_parameters`, Discord `message_reference`, WhatsApp `context`, Linear
/// `parentId`, the Teams activity in the reply URL). Nil when the thread alone is enough.
public struct ReplyTarget: Sendable, Hashable, Codable {
    public var thread: ThreadRef
    public var anchorMessageID: String?

    public init(thread: ThreadRef, anchorMessageID: String? = nil) {
        self.thread = thread
        self.anchorMessageID = anchorMessageID
    }
}
