/// Google Chat app events sent to an HTTP endpoint: `MESSAGE`, `CARD_CLICKED`; space membership
/// events are ignored. https://developers.google.com/workspace/chat/receive-respond-interactions
public struct GoogleChatParser: ChannelParser {
    public let platform = ChannelPlatform.googleChat
    let bot: BotIdentity

    public init(bot: BotIdentity) { self.bot = bot }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        let event = try postedJSON(delivery)
        // Google Workspace add-ons wrap Chat events in `chat`; Warden is configured as a Chat app.
        if event["type"] == nil, event["chat"] != nil { return [.ignored(.unsupported("add-on event"))] }
        let type = try event.requiredString("type")
        switch type {
        case "MESSAGE": return [try message(event)]
        case "CARD_CLICKED": return [try cardClicked(event)]
        default: return [.ignored(.unsupported(type))]
        }
    }

    private func message(_ event: PayloadReader) throws(ParseFailure) -> InboundEvent {
        let message = try event.requiredObject("message")
        let name = try message.requiredString("name")
        guard let senderObject = message.object("sender") ?? event.object("user") else { throw message.missing("sender") }
        let sender = try author(senderObject)
        if bot.isBot(sender.id) { return .ignored(.ownMessage) }
        var mentions: [String] = []
        var mentionsBot = false
        for annotation in message.objects("annotations") where annotation.string("type") == "USER_MENTION" {
            guard let user = annotation.text("userMention.user.name") else { continue }
            // Chat sends MESSAGE events in spaces only when the app is mentioned.
            if bot.isBot(user) || annotation.string("userMention.user.type") == "BOT" { mentionsBot = true }
            else { mentions.append(user) }
        }
        // `argumentText` is the text with the app's mention already removed.
        let text = (message.string("argumentText") ?? message.string("text") ?? "").trimmingWhitespace()
        guard !text.isEmpty else { return .ignored(.noText) }
        let space = try space(event, message)
        return .fromMessage(ChannelMessage(
            deliveryID: name, messageID: name,
            thread: ThreadRef(platform: platform, conversationID: space.name, threadID: message.text("thread.name")),
            author: sender, text: text, mentions: mentions, mentionsBot: mentionsBot, isDirect: space.isDirect,
            replyTo: message.text("quotedMessageMetadata.name")))
    }

    private func cardClicked(_ event: PayloadReader) throws(ParseFailure) -> InboundEvent {
        guard let function = event.text("common.invokedFunction") ?? event.text("action.actionMethodName") else {
            throw event.missing("common.invokedFunction")
        }
        guard let decision = ApprovalDecision(rawValue: function) else { return .ignored(.unknownAction(function)) }
        let legacyParameter = event.objects("action.parameters").first { $0.string("key") == "approvalId" }?.text("value")
        guard let approvalID = (event.text("common.parameters.approvalId") ?? legacyParameter).flatMap(ApprovalCommand.approvalID)
        else { return .ignored(.unknownAction(function)) }
        let message = try event.requiredObject("message")
        let space = try space(event, message)
        return .approvalAction(ApprovalAction(
            approvalID: approvalID, decision: decision, actor: try author(event.requiredObject("user")),
            thread: ThreadRef(platform: platform, conversationID: space.name, threadID: message.text("thread.name")),
            card: .googleChat(messageName: try message.requiredString("name"))))
    }

    private func space(_ event: PayloadReader, _ message: PayloadReader) throws(ParseFailure) -> (name: String, isDirect: Bool) {
        guard let space = event.object("space") ?? message.object("space") else { throw event.missing("space") }
        let isDirect = space.string("type") == "DM" || space.string("spaceType") == "DIRECT_MESSAGE"
            || space.bool("singleUserBotDm") == true
        return (try space.requiredString("name"), isDirect)
    }

    private func author(_ user: PayloadReader) throws(ParseFailure) -> ChannelAuthor {
        ChannelAuthor(id: try user.requiredString("name"), displayName: user.text("displayName"),
                      isBot: user.string("type") == "BOT")
    }
}
