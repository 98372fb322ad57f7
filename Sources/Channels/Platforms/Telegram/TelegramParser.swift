/// Telegram Bot API updates delivered by webhook. https://core.telegram.org/bots/api#update
public struct TelegramParser: ChannelParser {
    public let platform = ChannelPlatform.telegram
    let bot: BotIdentity

    public init(bot: BotIdentity) { self.bot = bot }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        let update = try postedJSON(delivery)
        let updateID = try update.requiredID("update_id")
        if let message = update.object("message") { return [try parseMessage(message, updateID: updateID)] }
        if let query = update.object("callback_query") { return [try parseCallback(query, updateID: updateID)] }
        if update["edited_message"] != nil || update["edited_channel_post"] != nil { return [.ignored(.edit)] }
        let kind = update.value.objectKeys.first { $0 != "update_id" } ?? "empty update"
        return [.ignored(.unsupported(kind))]
    }

    private func parseMessage(_ message: PayloadReader, updateID: String) throws(ParseFailure) -> InboundEvent {
        let messageID = try message.requiredID("message_id")
        let chatID = try message.requiredID("chat.id")
        // Channel posts have no sender; Warden answers people.
        guard let from = message.object("from") else { return .ignored(.unsupported("message without from")) }
        let author = try Self.author(from)
        if bot.isBot(author.id) { return .ignored(.ownMessage) }
        guard let raw = message.string("text") ?? message.string("caption") else { return .ignored(.noText) }

        let withoutBot = MentionText.removingAtHandles(of: bot, from: raw)
        let text = withoutBot.trimmingWhitespace()
        let handles = MentionText.atHandles(in: raw)
        let textMentionIDs = message.objects("entities").compactMap { $0.string("type") == "text_mention" ? $0.id("user.id") : nil }
        // In a forum topic, every message "replies" to the topic's creation message.
        let topicID = message.bool("is_topic_message") == true ? message.id("message_thread_id") : nil
        let repliedTo = message.id("reply_to_message.message_id")

        guard !text.isEmpty else { return .ignored(.noText) }
        return .fromMessage(ChannelMessage(
            deliveryID: updateID,
            messageID: "\(chatID):\(messageID)",
            thread: ThreadRef(platform: platform, conversationID: chatID, threadID: topicID),
            author: author,
            text: text,
            mentions: handles.filter { !bot.isNamed($0) } + textMentionIDs.filter { !bot.isBot($0) },
            // `withoutBot` also differs for `/command@WardenBot`, which addresses the bot in a group.
            mentionsBot: withoutBot != raw || textMentionIDs.contains(where: bot.isBot),
            isDirect: message.string("chat.type") == "private",
            replyTo: repliedTo == topicID ? nil : repliedTo,
            replyAnchor: messageID))
    }

    private func parseCallback(_ query: PayloadReader, updateID: String) throws(ParseFailure) -> InboundEvent {
        let queryID = try query.requiredString("id")
        let author = try Self.author(try query.requiredObject("from"))
        guard let data = query.string("data") else { return .ignored(.unsupported("callback_query without data")) }
        guard let command = ApprovalCommand.parseButton(data) else { return .ignored(.unknownAction(data)) }
        // A button on an inline-mode message has no chat to answer in; Warden posts none.
        guard let message = query.object("message") else { return .ignored(.unsupported("inline callback_query")) }
        let chatID = try message.requiredID("chat.id")
        let messageID = try message.requiredID("message_id")
        let topicID = message.bool("is_topic_message") == true ? message.id("message_thread_id") : nil
        return .approvalAction(ApprovalAction(
            approvalID: command.approvalID, decision: command.decision, actor: author,
            thread: ThreadRef(platform: platform, conversationID: chatID, threadID: topicID),
            deliveryID: updateID,
            card: .telegram(chatID: chatID, messageID: messageID, callbackQueryID: queryID)))
    }

    private static func author(_ from: PayloadReader) throws(ParseFailure) -> ChannelAuthor {
        let name = [from.text("first_name"), from.text("last_name")].compactMap { $0 }.joined(separator: " ")
        return ChannelAuthor(id: try from.requiredID("id"), displayName: name.isEmpty ? from.text("username") : name,
                             isBot: from.bool("is_bot") ?? false)
    }
}
