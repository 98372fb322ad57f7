import Core

/// WhatsApp Cloud API: text messages to the person, quoting theirs. Approval prompts are text
/// with the commands to type. https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
enum WhatsAppOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.whatsapp
    static let graphAPIVersion = "v21.0"

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) throws(OutboundError) -> OutboundRequest {
        guard let phoneNumberID = target.thread.workspaceID else { throw .missing(platform, "the business phone number id (workspaceID)") }
        return .json("POST", "https://graph.facebook.com/\(graphAPIVersion)/\(URLPath.segment(phoneNumberID))/messages", .fields([
            "messaging_product": .string("whatsapp"),
            "recipient_type": .string("individual"),
            "to": .string(target.thread.conversationID),
            "type": .string("text"),
            "text": .fields(["body": .string(text), "preview_url": .bool(false)]),
            "context": isFirst ? target.anchorMessageID.map { .fields(["message_id": .string($0)]) } : nil,
        ]), authorization: bearer(credential))
    }
}
