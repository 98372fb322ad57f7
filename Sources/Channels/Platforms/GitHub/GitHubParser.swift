/// GitHub webhooks: comments on issues and pull requests, new issues, review comments, and
/// `ping`. The event name and delivery id come in headers.
/// https://docs.github.com/en/webhooks/webhook-events-and-payloads
public struct GitHubParser: ChannelParser {
    public let platform = ChannelPlatform.github
    let bot: BotIdentity

    public init(bot: BotIdentity) { self.bot = bot }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        guard let event = delivery.headers["X-GitHub-Event"], !event.isEmpty else {
            throw .missingHeader(platform, header: "X-GitHub-Event")
        }
        guard let deliveryID = delivery.headers["X-GitHub-Delivery"], !deliveryID.isEmpty else {
            throw .missingHeader(platform, header: "X-GitHub-Delivery")
        }
        let payload = try postedJSON(delivery)
        switch event {
        case "ping": return [.handshake(.json("{}"))]
        case "issue_comment", "issues", "pull_request_review_comment":
            return [try parse(event: event, payload, deliveryID: deliveryID)]
        default: return [.ignored(.unsupported(event))]
        }
    }

    private func parse(event: String, _ payload: PayloadReader, deliveryID: String) throws(ParseFailure) -> InboundEvent {
        let action = try payload.requiredString("action")
        let repository = try payload.requiredString("repository.full_name")
        let item: PayloadReader
        let threadID: String
        let messageID: String
        var replyTo: String?
        var text: String
        switch (event, action) {
        case ("issue_comment", "created"):
            item = try payload.requiredObject("comment")
            let number = try payload.requiredID("issue.number")
            threadID = "issues/\(number)"
            messageID = "comment:\(try item.requiredID("id"))"
            text = item.string("body") ?? ""
        case ("issues", "opened"):
            item = try payload.requiredObject("issue")
            threadID = "issues/\(try item.requiredID("number"))"
            messageID = "issue:\(try item.requiredID("id"))"
            text = [try item.requiredString("title"), item.text("body")].compactMap { $0 }.joined(separator: "\n\n")
        case ("pull_request_review_comment", "created"):
            item = try payload.requiredObject("comment")
            let id = try item.requiredID("id")
            // A review thread is named by its first comment; replies point at it.
            replyTo = item.id("in_reply_to_id")
            threadID = "pulls/\(try payload.requiredID("pull_request.number"))/comments/\(replyTo ?? id)"
            messageID = "review-comment:\(id)"
            text = item.string("body") ?? ""
        case (_, "edited"), (_, "deleted"):
            return .ignored(.edit)
        default:
            return .ignored(.unsupported("\(event).\(action)"))
        }

        let login = try item.requiredString("user.login")
        let userID = try item.requiredID("user.id")
        if bot.isBot(login) || bot.isBot(userID) { return .ignored(.ownMessage) }
        let handles = MentionText.atHandles(in: text)
        text = MentionText.removingAtHandles(of: bot, from: text).trimmingWhitespace()
        guard !text.isEmpty else { return .ignored(.noText) }
        return .fromMessage(ChannelMessage(
            deliveryID: deliveryID, messageID: messageID,
            thread: ThreadRef(platform: platform, conversationID: repository, threadID: threadID),
            // The numeric id, not the login: a login can be renamed and then taken by someone
            // else, and approver lists are checked against this id.
            author: ChannelAuthor(id: userID, displayName: login, isBot: item.string("user.type") == "Bot"),
            text: text,
            mentions: handles.filter { !bot.isNamed($0) },
            mentionsBot: handles.contains(where: bot.isNamed),
            replyTo: replyTo))
    }
}
