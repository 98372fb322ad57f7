/// Linear data-change webhooks: new comments and new issues.
/// https://linear.app/developers/webhooks
public struct LinearParser: ChannelParser {
    public let platform = ChannelPlatform.linear
    let bot: BotIdentity

    public init(bot: BotIdentity) { self.bot = bot }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        let payload = try postedJSON(delivery)
        let type = try payload.requiredString("type")
        let action = try payload.requiredString("action")
        let data = try payload.requiredObject("data")
        let dataID = try data.requiredString("id")
        // `webhookId` names the subscription and `Linear-Delivery` the delivery; without the
        // header, the entity, type and action are as stable across retries.
        let deliveryID = [payload.text("webhookId") ?? "-",
                          delivery.headers["Linear-Delivery"] ?? "\(type):\(action):\(dataID)"].joined(separator: ":")
        switch (type, action) {
        case ("Comment", "create"): return [try comment(payload, data, id: dataID, deliveryID: deliveryID)]
        case ("Issue", "create"): return [try issue(payload, data, id: dataID, deliveryID: deliveryID)]
        case (_, "update"), (_, "remove"): return [.ignored(.edit)]
        default: return [.ignored(.unsupported("\(type).\(action)"))]
        }
    }

    private func comment(_ payload: PayloadReader, _ data: PayloadReader, id: String,
                         deliveryID: String) throws(ParseFailure) -> InboundEvent {
        let issueID = try data.requiredString("issueId")
        let parentID = data.text("parentId")
        // Linear threads one level deep: a reply names the thread's first comment.
        let rootID = parentID ?? id
        return message(payload, data, body: try data.requiredString("body"),
                       authorID: data.text("userId") ?? data.text("user.id"),
                       messageID: "comment:\(id)", deliveryID: deliveryID,
                       thread: ThreadRef(platform: platform, workspaceID: payload.text("organizationId"),
                                         conversationID: issueID, threadID: rootID),
                       replyTo: parentID, anchor: rootID)
    }

    private func issue(_ payload: PayloadReader, _ data: PayloadReader, id: String,
                       deliveryID: String) throws(ParseFailure) -> InboundEvent {
        let body = [try data.requiredString("title"), data.text("description")].compactMap { $0 }.joined(separator: "\n\n")
        return message(payload, data, body: body, authorID: data.text("creatorId"),
                       messageID: "issue:\(id)", deliveryID: deliveryID,
                       thread: ThreadRef(platform: platform, workspaceID: payload.text("organizationId"), conversationID: id),
                       replyTo: nil, anchor: nil)
    }

    private func message(_ payload: PayloadReader, _ data: PayloadReader, body: String, authorID: String?,
                         messageID: String, deliveryID: String, thread: ThreadRef,
                         replyTo: String?, anchor: String?) -> InboundEvent {
        let actorID = payload.text("actor.id")
        if bot.isBot(authorID) || bot.isBot(actorID) { return .ignored(.ownMessage) }
        guard let authorID = authorID ?? actorID else { return .ignored(.unsupported("\(messageID) without an author")) }
        let handles = MentionText.atHandles(in: body)
        let text = MentionText.removingAtHandles(of: bot, from: body).trimmingWhitespace()
        guard !text.isEmpty else { return .ignored(.noText) }
        return .fromMessage(ChannelMessage(
            deliveryID: deliveryID, messageID: messageID, thread: thread,
            author: ChannelAuthor(id: authorID, displayName: payload.text("actor.name") ?? data.text("user.name"),
                                  // Integrations comment as a `botActor`; apps act as non-`user` actors.
                                  isBot: data["botActor"] != nil || (payload.text("actor.type").map { $0 != "user" } ?? false)),
            text: text,
            mentions: handles.filter { !bot.isNamed($0) },
            mentionsBot: handles.contains(where: bot.isNamed),
            replyTo: replyTo, replyAnchor: anchor))
    }
}
