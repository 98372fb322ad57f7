/// Microsoft Teams through the Bot Framework: `message` activities, and `invoke` activities for
/// Adaptive Card `Action.Execute` clicks. https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
public struct TeamsParser: ChannelParser {
    public let platform = ChannelPlatform.teams
    let bot: BotIdentity

    public init(bot: BotIdentity) { self.bot = bot }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        let activity = try postedJSON(delivery)
        let type = try activity.requiredString("type")
        switch type {
        case "message": return [try message(activity)]
        case "invoke":
            let name = activity.string("name") ?? ""
            guard name == "adaptiveCard/action" else { return [.ignored(.unsupported("invoke \(name)"))] }
            return [try cardAction(activity)]
        case "messageUpdate", "messageDelete": return [.ignored(.edit)]
        default: return [.ignored(.unsupported(type))]
        }
    }

    private func message(_ activity: PayloadReader) throws(ParseFailure) -> InboundEvent {
        let id = try activity.requiredString("id")
        let author = try self.author(activity)
        if bot.isBot(author.id) || author.id == activity.string("recipient.id") { return .ignored(.ownMessage) }
        let thread = try self.thread(activity)
        // `Action.Submit` / messageBack buttons post a message whose `value` carries the data.
        if let command = Self.approvalCommand(activity.object("value")) {
            return .approvalAction(ApprovalAction(approvalID: command.approvalID, decision: command.decision,
                                                  actor: author, thread: thread, deliveryID: id))
        }
        let botIDs = bot.ids.union([activity.string("recipient.id")].compactMap { $0 })
        var text = activity.string("text") ?? ""
        var mentions: [String] = []
        var mentionsBot = false
        for entity in activity.objects("entities") where entity.string("type") == "mention" {
            guard let mentionedID = entity.text("mentioned.id") else { continue }
            if botIDs.contains(mentionedID) {
                mentionsBot = true
                if let tag = entity.text("text"), let range = text.range(of: tag) {
                    text = MentionText.removing(range, from: text)
                }
            } else {
                mentions.append(mentionedID)
            }
        }
        text = TeamsText.plain(text).trimmingWhitespace()
        guard !text.isEmpty else { return .ignored(.noText) }
        return .fromMessage(ChannelMessage(
            deliveryID: id,
            messageID: "\(thread.conversationID):\(id)",
            thread: thread, author: author, text: text,
            mentions: mentions, mentionsBot: mentionsBot,
            isDirect: activity.string("conversation.conversationType") == "personal",
            replyTo: activity.text("replyToId"), replyAnchor: id))
    }

    private func cardAction(_ activity: PayloadReader) throws(ParseFailure) -> InboundEvent {
        let verb = try activity.requiredString("value.action.verb")
        guard let decision = ApprovalDecision(rawValue: verb),
              let approvalID = activity.text("value.action.data.approvalId").flatMap(ApprovalCommand.approvalID)
        else { return .ignored(.unknownAction(verb)) }
        let thread = try self.thread(activity)
        guard let serviceURL = thread.serviceURL else { throw activity.missing("serviceUrl") }
        let cardID = try activity.requiredString("replyToId")
        return .approvalAction(ApprovalAction(
            approvalID: approvalID, decision: decision, actor: try author(activity), thread: thread,
            deliveryID: activity.text("id"),
            card: .teams(serviceURL: serviceURL, conversationID: TeamsConversationID.join(thread), activityID: cardID)))
    }

    private func thread(_ activity: PayloadReader) throws(ParseFailure) -> ThreadRef {
        let (conversation, threadID) = TeamsConversationID.split(try activity.requiredString("conversation.id"))
        return ThreadRef(platform: platform,
                         workspaceID: activity.text("conversation.tenantId") ?? activity.text("channelData.tenant.id"),
                         conversationID: conversation, threadID: threadID,
                         serviceURL: try activity.requiredString("serviceUrl"))
    }

    private func author(_ activity: PayloadReader) throws(ParseFailure) -> ChannelAuthor {
        ChannelAuthor(id: try activity.requiredString("from.id"), displayName: activity.text("from.name"),
                      isBot: activity.string("from.role") == "bot")
    }

    /// `{"action":"approve","approvalId":"apr_…"}`, the data Warden puts on submit buttons.
    private static func approvalCommand(_ value: PayloadReader?) -> ApprovalCommand? {
        guard let value, let action = value.text("action"), let decision = ApprovalDecision(rawValue: action),
              let id = value.text("approvalId").flatMap(ApprovalCommand.approvalID) else { return nil }
        return ApprovalCommand(decision: decision, approvalID: id)
    }
}

/// Teams marks mentions of other people as `<at>Name</at>`; the agent reads them as `@Name`.
enum TeamsText {
    static func plain(_ text: String) -> String {
        text.replacingOccurrences(of: "<at>", with: "@").replacingOccurrences(of: "</at>", with: "")
    }
}
