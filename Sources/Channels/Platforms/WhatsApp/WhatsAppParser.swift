import Core

/// WhatsApp Business Cloud API webhooks: the GET subscription check, and POSTed `messages`
/// changes, which may batch several messages and delivery receipts.
/// https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
public struct WhatsAppParser: ChannelParser {
    public let platform = ChannelPlatform.whatsapp
    let bot: BotIdentity
    /// The channel's verify token; nil refuses every subscription check.
    let verifyToken: String?

    public init(bot: BotIdentity, verifyToken: String?) {
        self.bot = bot
        self.verifyToken = verifyToken
    }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        switch delivery.method {
        case "GET": return [try subscriptionCheck(delivery.query)]
        case "POST": return try notifications(PayloadReader(platform: platform, json: delivery.body))
        default: throw .methodNotAllowed(platform, method: delivery.method)
        }
    }

    /// `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`, answered with the challenge as
    /// plain text only when the token is the channel's.
    private func subscriptionCheck(_ query: [String: String]) throws(ParseFailure) -> InboundEvent {
        for name in ["hub.mode", "hub.verify_token", "hub.challenge"] where query[name] == nil {
            throw .missingField(platform, field: name)
        }
        guard query["hub.mode"] == "subscribe", let verifyToken,
              Crypto.constantTimeEqual(Array(query["hub.verify_token"]!.utf8), Array(verifyToken.utf8))
        else { throw .verifyTokenMismatch }
        return .handshake(.text(query["hub.challenge"]!))
    }

    private func notifications(_ payload: PayloadReader) throws(ParseFailure) -> [InboundEvent] {
        let object = try payload.requiredString("object")
        guard object == "whatsapp_business_account" else { return [.ignored(.unsupported(object))] }
        guard case .array? = payload["entry"] else { throw payload.missing("entry") }
        var events: [InboundEvent] = []
        for entry in payload.objects("entry") {
            for change in entry.objects("changes") {
                let field = change.string("field") ?? "messages"
                guard field == "messages", let value = change.object("value") else {
                    events.append(.ignored(.unsupported(field)))
                    continue
                }
                events += try messages(value)
                if !value.objects("statuses").isEmpty { events.append(.ignored(.statusUpdate)) }
            }
        }
        return events.isEmpty ? [.ignored(.unsupported("no messages"))] : events
    }

    private func messages(_ value: PayloadReader) throws(ParseFailure) -> [InboundEvent] {
        let phoneNumberID = try value.requiredID("metadata.phone_number_id")
        var names: [String: String] = [:]
        for contact in value.objects("contacts") {
            if let waID = contact.id("wa_id"), let name = contact.text("profile.name") { names[waID] = name }
        }
        var events: [InboundEvent] = []
        for message in value.objects("messages") {
            events.append(try parseMessage(message, phoneNumberID: phoneNumberID, names: names,
                                           displayNumber: value.text("metadata.display_phone_number")))
        }
        return events
    }

    private func parseMessage(_ message: PayloadReader, phoneNumberID: String, names: [String: String],
                              displayNumber: String?) throws(ParseFailure) -> InboundEvent {
        let id = try message.requiredString("id")
        let from = try message.requiredID("from")
        if bot.isBot(from) || from == displayNumber.map(Self.digits) { return .ignored(.ownMessage) }
        let thread = ThreadRef(platform: platform, workspaceID: phoneNumberID, conversationID: from)
        let author = ChannelAuthor(id: from, displayName: names[from])
        let type = try message.requiredString("type")

        let text: String
        switch type {
        case "text":
            text = try message.requiredString("text.body")
        case "interactive", "button":
            // A tap on a reply button: `interactive.button_reply.id` for interactive messages,
            // `button.payload` for template quick replies.
            guard let buttonID = message.text("interactive.button_reply.id") ?? message.text("button.payload") else {
                return .ignored(.unsupported("\(type) reply without a button id"))
            }
            guard let command = ApprovalCommand.parseButton(buttonID) else { return .ignored(.unknownAction(buttonID)) }
            return .approvalAction(ApprovalAction(
                approvalID: command.approvalID, decision: command.decision, actor: author, thread: thread, deliveryID: id))
        case "image", "video", "document":
            guard let caption = message.text("\(type).caption") else { return .ignored(.noText) }
            text = caption
        default:
            return .ignored(.unsupported("message type \(type)"))
        }
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return .ignored(.noText) }
        return .fromMessage(ChannelMessage(
            // The message id is what WhatsApp keeps when it redelivers.
            deliveryID: id, messageID: id, thread: thread, author: author, text: trimmed,
            mentionsBot: true, isDirect: true,
            replyTo: message.text("context.id"), replyAnchor: id))
    }

    private static func digits(_ number: String) -> String { number.filter(\.isNumber) }
}
