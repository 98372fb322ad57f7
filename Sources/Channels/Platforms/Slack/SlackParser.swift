import HTTP

/// Slack: the Events API (JSON), and interactivity and slash commands (form-encoded), which
/// arrive at the same route. https://api.slack.com/apis/events-api
public struct SlackParser: ChannelParser {
    public let platform = ChannelPlatform.slack
    let bot: BotIdentity

    public init(bot: BotIdentity) { self.bot = bot }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        guard delivery.method == "POST" else { throw .methodNotAllowed(platform, method: delivery.method) }
        if delivery.body.first(where: { !$0.isASCIIWhitespace }) == UInt8(ascii: "{") {
            return [try parseEventsAPI(PayloadReader(platform: platform, json: delivery.body))]
        }
        guard let form = FormFields.parse(delivery.body) else {
            throw .unreadableBody(platform, expected: "JSON or form-encoded")
        }
        if let payload = form["payload"] {
            let interaction = try PayloadReader(platform: platform, json: Array(payload.utf8))
            return [try SlackInteractionParser(bot: bot).parse(interaction)]
        }
        if form["command"] != nil { return [try SlackSlashCommandParser().parse(form)] }
        throw .unreadableBody(platform, expected: "an event, an interaction payload or a slash command")
    }

    private func parseEventsAPI(_ payload: PayloadReader) throws(ParseFailure) -> InboundEvent {
        switch try payload.requiredString("type") {
        case "url_verification":
            // Slack accepts the challenge back as plain text.
            return .handshake(.text(try payload.requiredString("challenge")))
        case "event_callback":
            return try parseEvent(payload)
        case let other:
            return .ignored(.unsupported(other))
        }
    }

    private func parseEvent(_ payload: PayloadReader) throws(ParseFailure) -> InboundEvent {
        let deliveryID = try payload.requiredString("event_id")
        let event = try payload.requiredObject("event")
        let type = try event.requiredString("type")
        guard type == "message" || type == "app_mention" else { return .ignored(.unsupported(type)) }

        switch event.string("subtype") {
        case nil, "thread_broadcast", "file_share", "me_message", "bot_message": break
        case "message_changed", "message_deleted": return .ignored(.edit)
        case let other?: return .ignored(.unsupported("message.\(other)"))
        }
        // The bot's own posts come back as message events: by user, by bot id, or by app id.
        let authorIDs = [event.string("user"), event.string("bot_id"), event.string("app_id"), event.string("bot_profile.app_id")]
        if authorIDs.contains(where: bot.isBot) { return .ignored(.ownMessage) }

        let channel = try event.requiredString("channel")
        let ts = try event.requiredString("ts")
        guard let authorID = event.text("user") ?? event.text("bot_id") else { throw event.missing("user") }
        let threadTS = event.text("thread_ts")
        let rawText = event.string("text") ?? ""
        let mentioned = MentionText.angleMentionIDs(in: rawText)
        let text = SlackText.unescape(MentionText.removingAngleMentions(of: bot.ids, from: rawText)).trimmingWhitespace()
        guard !text.isEmpty else { return .ignored(.noText) }

        let message = ChannelMessage(
            deliveryID: deliveryID,
            // `message` and `app_mention` deliver the same message under two event ids: channel
            // and ts name the message itself.
            messageID: "\(channel):\(ts)",
            thread: ThreadRef(platform: platform, workspaceID: payload.text("team_id") ?? event.text("team"),
                              conversationID: channel, threadID: threadTS ?? ts),
            author: ChannelAuthor(id: authorID, displayName: Self.displayName(event),
                                  isBot: event.text("bot_id") != nil),
            text: text,
            mentions: mentioned.filter { !bot.isBot($0) },
            mentionsBot: type == "app_mention" || mentioned.contains(where: bot.isBot),
            isDirect: event.string("channel_type") == "im",
            replyTo: threadTS == ts ? nil : threadTS)
        return .fromMessage(message)
    }

    private static func displayName(_ event: PayloadReader) -> String? {
        event.text("user_profile.display_name") ?? event.text("user_profile.real_name") ?? event.text("username")
    }
}

/// Slack escapes `&`, `<` and `>` in message text, and reads them back the same way.
enum SlackText {
    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// The UTF-16 length of `scalar` once escaped.
    static func escapedLength(_ scalar: Unicode.Scalar) -> Int {
        switch scalar {
        case "&": return 5
        case "<", ">": return 4
        default: return scalar.utf16.count
        }
    }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
