import Core

/// Bot Framework Connector for Teams: a reply activity to the message answered, Adaptive Cards
/// with `Action.Execute`, and the card replaced by the outcome.
/// https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
enum TeamsOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.teams

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) throws(OutboundError) -> OutboundRequest {
        try send(.fields(["type": .string("message"), "text": .string(text), "textFormat": .string("markdown")]),
                 to: target, credential: credential)
    }

    static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) throws(OutboundError) -> OutboundRequest {
        // Bot Framework ids (`29:1a…`, `8:orgid:…`); a mention is `<at>…</at>` in the text plus an
        // entity naming the user. Without a display name, the id is the mention's text.
        let approvers = card.approvers(ofBytes: { $0.isASCIIAlphanumeric || ":-_.".utf8.contains($0) })
        var lines = card.bodyLines
        if !approvers.isEmpty { lines.append("Approvers: " + approvers.map { "<at>\($0)</at>" }.joined(separator: " ")) }
        let mentions = approvers.map { id -> JSONValue in
            .fields(["type": .string("mention"), "text": .string("<at>\(id)</at>"),
                     "mentioned": .fields(["id": .string(id), "name": .string(id)])])
        }
        return try send(.fields([
            "type": .string("message"),
            "summary": .string("\(ApprovalCard.title): \(card.summary)"),
            "attachments": .array([adaptiveCard(title: ApprovalCard.title, lines: lines, actions: [
                execute("Approve", .approve, card.approvalID), execute("Deny", .deny, card.approvalID),
            ], mentions: mentions)]),
        ]), to: target, credential: credential)
    }

    /// `PUT …/activities/{id}` replaces the card with one that states the outcome and has no buttons.
    static func cardUpdate(serviceURL: String, conversationID: String, activityID: String, card: ApprovalCard,
                           outcome: ApprovalOutcome, credential: String) -> OutboundRequest {
        .json("PUT", activitiesURL(serviceURL, conversationID) + "/" + URLPath.segment(activityID), .fields([
            "type": .string("message"),
            "id": .string(activityID),
            "attachments": .array([adaptiveCard(title: outcome.text(for: card), lines: [], actions: [])]),
        ]), authorization: bearer(credential))
    }

    /// `POST …/activities/{replyToId}` answers the message in its thread (Reply to Activity);
    /// without an anchor the activity goes to the conversation (Send to Conversation).
    private static func send(_ activity: JSONValue, to target: ReplyTarget, credential: String) throws(OutboundError) -> OutboundRequest {
        guard let serviceURL = target.thread.serviceURL else { throw .missing(platform, "the conversation's serviceUrl") }
        var url = activitiesURL(serviceURL, TeamsConversationID.join(target.thread))
        var body = activity
        if let anchor = target.anchorMessageID, case .object(var fields) = activity {
            url += "/" + URLPath.segment(anchor)
            fields["replyToId"] = .string(anchor)
            body = .object(fields)
        }
        return .json("POST", url, body, authorization: bearer(credential))
    }

    private static func activitiesURL(_ serviceURL: String, _ conversationID: String) -> String {
        var base = serviceURL
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/v3/conversations/\(URLPath.segment(conversationID))/activities"
    }

    /// `mentions`: the `msteams.entities` that make `<at>…</at>` in the lines notify someone.
    private static func adaptiveCard(title: String, lines: [String], actions: [JSONValue], mentions: [JSONValue] = []) -> JSONValue {
        let heading: JSONValue = .fields(["type": .string("TextBlock"), "text": .string(title), "weight": .string("Bolder"),
                                          "wrap": .bool(true)])
        let body = [heading] + lines.map { JSONValue.fields(["type": .string("TextBlock"), "text": .string($0), "wrap": .bool(true)]) }
        return .fields([
            "contentType": .string("application/vnd.microsoft.card.adaptive"),
            "content": .fields([
                "type": .string("AdaptiveCard"),
                "$schema": .string("http://adaptivecards.io/schemas/adaptive-card.json"),
                // 1.4 is the first version with Action.Execute (Universal Actions).
                "version": .string("1.4"),
                "body": .array(body),
                "actions": actions.isEmpty ? nil : .array(actions),
                "msteams": mentions.isEmpty ? nil : .fields(["entities": .array(mentions)]),
            ]),
        ])
    }

    private static func execute(_ title: String, _ decision: ApprovalDecision, _ approvalID: String) -> JSONValue {
        .fields(["type": .string("Action.Execute"), "title": .string(title), "verb": .string(decision.rawValue),
                 "data": .fields(["approvalId": .string(approvalID)])])
    }
}
