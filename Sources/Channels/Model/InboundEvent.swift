/// What one verified delivery means to Warden. Every case but a `ParseFailure` is answered 2xx:
/// platforms disable webhooks that keep failing, so what Warden does not handle is `.ignored`.
public enum InboundEvent: Sendable, Equatable {
    /// A person's message, to persist and map to a session.
    case message(ChannelMessage)
    /// A platform's set-up or liveness check, answered exactly with this reply and nothing else.
    case handshake(WebhookReply)
    /// A click on an approval card or an `/approve`/`/deny` command.
    case approvalAction(ApprovalAction)
    case ignored(IgnoreReason)

    /// A message, or the approval command it consists of.
    static func fromMessage(_ message: ChannelMessage) -> InboundEvent {
        guard let command = ApprovalCommand.parseText(message.text) else { return .message(message) }
        return .approvalAction(ApprovalAction(
            approvalID: command.approvalID, decision: command.decision, actor: message.author,
            thread: message.thread, reason: command.reason, deliveryID: message.deliveryID))
    }
}

/// Why a delivery leads to nothing; for logs and metrics.
public enum IgnoreReason: Sendable, Equatable, CustomStringConvertible {
    /// Warden's own bot, echoed back by the platform: answering it would loop.
    case ownMessage
    /// An edit or deletion of a message already received.
    case edit
    /// A message without text (a photo, a sticker, a join notice).
    case noText
    /// Delivery receipts (WhatsApp `statuses`).
    case statusUpdate
    /// A button or command that is not one of Warden's.
    case unknownAction(String)
    /// An event type Warden does not handle, named as the platform names it.
    case unsupported(String)

    public var description: String {
        switch self {
        case .ownMessage: return "the bot's own message"
        case .edit: return "an edit or deletion"
        case .noText: return "a message without text"
        case .statusUpdate: return "a delivery status update"
        case .unknownAction(let action): return "an action that is not Warden's: \(action)"
        case .unsupported(let kind): return "an event Warden does not handle: \(kind)"
        }
    }
}
