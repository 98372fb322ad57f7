import Core

/// Telegram Bot API. The token is part of the URL path (`/bot<token>/sendMessage`): the
/// placeholder stands there, and the request says so in `credential`, because the credential
/// proxy replaces placeholders only in headers today. https://core.telegram.org/bots/api#sendmessage
enum TelegramOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.telegram

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) -> OutboundRequest {
        call("sendMessage", .object(messageFields(text, target, isFirst: isFirst)), credential: credential)
    }

    static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) -> OutboundRequest {
        var text = ([ApprovalCard.title] + card.bodyLines).joined(separator: "\n")
        // A `text_mention` entity mentions a user by id without parse_mode (so nothing in the
        // card needs escaping); offsets count UTF-16 code units, as Telegram does.
        var entities: [JSONValue] = []
        let approvers = card.approvers(matching: { Int64($0).map { $0 > 0 } ?? false })
        if !approvers.isEmpty { text += "\nApprovers:" }
        for id in approvers {
            text += " "
            entities.append(.fields(["type": .string("text_mention"), "offset": .int(text.utf16.count), "length": .int(id.utf16.count),
                                     "user": .fields(["id": .id(id), "is_bot": .bool(false), "first_name": .string(id)])]))
            text += id
        }
        var fields = messageFields(text, target, isFirst: true)
        if !entities.isEmpty { fields["entities"] = .array(entities) }
        fields["reply_markup"] = .fields(["inline_keyboard": .array([.array([
            button("Approve", .approve, card.approvalID),
            button("Deny", .deny, card.approvalID),
        ])])])
        return call("sendMessage", .object(fields), credential: credential)
    }

    /// `editMessageText` without `reply_markup` replaces the text and removes the keyboard.
    static func cardUpdate(chatID: String, messageID: String, card: ApprovalCard, outcome: ApprovalOutcome,
                           credential: String) -> OutboundRequest {
        call("editMessageText", .fields([
            "chat_id": .id(chatID),
            "message_id": .id(messageID),
            "text": .string(outcome.text(for: card)),
        ]), credential: credential)
    }

    /// Every callback query must be answered, or the button keeps spinning; `text` shows as a
    /// toast (e.g. "Only approvers of this channel can decide").
    static func answerCallbackQuery(_ queryID: String, text: String?, credential: String) -> OutboundRequest {
        call("answerCallbackQuery", .fields(["callback_query_id": .string(queryID), "text": .optional(text)]), credential: credential)
    }

    private static func messageFields(_ text: String, _ target: ReplyTarget, isFirst: Bool) -> [String: JSONValue] {
        var fields: [String: JSONValue] = ["chat_id": .id(target.thread.conversationID), "text": .string(text)]
        if let topic = target.thread.threadID { fields["message_thread_id"] = .id(topic) }
        if isFirst, let anchor = target.anchorMessageID {
            fields["reply_parameters"] = .fields(["message_id": .id(anchor), "allow_sending_without_reply": .bool(true)])
        }
        return fields
    }

    private static func button(_ label: String, _ decision: ApprovalDecision, _ approvalID: String) -> JSONValue {
        .fields(["text": .string(label), "callback_data": .string(ApprovalCommand.buttonValue(decision, approvalID: approvalID))])
    }

    private static func call(_ method: String, _ body: JSONValue, credential: String) -> OutboundRequest {
        var request = OutboundRequest.json("POST", "https://api.telegram.org/bot\(credential)/\(method)", body, authorization: nil)
        request.credential = .urlPath
        return request
    }
}
