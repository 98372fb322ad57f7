import Core

/// Google Chat API: `spaces.messages.create` in the thread, cardsV2 buttons, and
/// `spaces.messages.patch` for the outcome. https://developers.google.com/workspace/chat/api/reference/rest/v1/spaces.messages
enum GoogleChatOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.googleChat
    static let api = "https://chat.googleapis.com/v1/"

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) -> OutboundRequest {
        create(["text": .string(text)], in: target, credential: credential)
    }

    static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) -> OutboundRequest {
        let text: JSONValue = .fields(["textParagraph": .fields(["text": .string(card.bodyLines.joined(separator: "\n"))])])
        let buttons: JSONValue = .fields(["buttonList": .fields(["buttons": .array([
            button("Approve", .approve, card.approvalID), button("Deny", .deny, card.approvalID),
        ])])])
        // `<users/…>` in the message text notifies the user; ids are `users/` and digits or letters.
        let approvers = card.approvers(matching: { id in
            id.hasPrefix("users/") && id.utf8.count > 6 && id.utf8.dropFirst(6).allSatisfy(\.isASCIIAlphanumeric)
        })
        var fields: [String: JSONValue] = [
            // Shown in notifications, and where cards cannot be.
            "fallbackText": .string("\(ApprovalCard.title): \(card.summary)"),
            "cardsV2": .array([.fields([
                "cardId": .string("approval-\(card.approvalID)"),
                "card": .fields([
                    "header": .fields(["title": .string(ApprovalCard.title)]),
                    "sections": .array([.fields(["widgets": .array([text, buttons])])]),
                ]),
            ])]),
        ]
        if !approvers.isEmpty { fields["text"] = .string("Approvers: " + approvers.map { "<\($0)>" }.joined(separator: " ")) }
        return create(fields, in: target, credential: credential)
    }

    /// The card replaced by the outcome as text.
    static func cardUpdate(messageName: String, card: ApprovalCard, outcome: ApprovalOutcome, credential: String) -> OutboundRequest {
        .json("PATCH", api + URLPath.segments(messageName) + "?updateMask=text,cardsV2",
              .fields(["text": .string(outcome.text(for: card)), "cardsV2": .array([])]), authorization: bearer(credential))
    }

    /// With a thread, the message goes into it (or starts one if it is gone).
    private static func create(_ fields: [String: JSONValue], in target: ReplyTarget, credential: String) -> OutboundRequest {
        var body = fields
        var url = api + URLPath.segments(target.thread.conversationID) + "/messages"
        if let thread = target.thread.threadID {
            body["thread"] = .fields(["name": .string(thread)])
            url += "?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
        }
        return .json("POST", url, .object(body), authorization: bearer(credential))
    }

    /// For an HTTP Chat app, `function` is only a name, returned as `common.invokedFunction`.
    private static func button(_ label: String, _ decision: ApprovalDecision, _ approvalID: String) -> JSONValue {
        .fields(["text": .string(label), "onClick": .fields(["action": .fields([
            "function": .string(decision.rawValue),
            "parameters": .array([.fields(["key": .string("approvalId"), "value": .string(approvalID)])]),
        ])])])
    }
}
