import Core

/// Discord requires every interaction to be answered in the HTTP response, within 3 seconds,
/// with an interaction response. https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object
enum DiscordInteractionResponse {
    /// Ephemeral: only the person who acted sees it.
    static let ephemeralFlag = 64

    static func acknowledging(_ event: InboundEvent?) -> WebhookReply {
        switch event {
        case .approvalAction(let action)? where action.card != nil:
            // DEFERRED_UPDATE_MESSAGE: the click is taken; the card is edited once decided.
            return .json(#"{"type":6}"#)
        case .approvalAction?:
            return channelMessage("Decision received.", ephemeral: true)
        case .message?:
            // CHANNEL_MESSAGE_WITH_SOURCE now, rather than a deferred "thinking…" that a reply
            // later than the token's 15 minutes could never resolve: answers arrive as ordinary
            // messages in the channel.
            return channelMessage("Received, working on it.", ephemeral: false)
        case .handshake(let reply)?:
            return reply
        case .ignored?, nil:
            return channelMessage("Warden does not handle this interaction.", ephemeral: true)
        }
    }

    private static func channelMessage(_ content: String, ephemeral: Bool) -> WebhookReply {
        let data = JSONValue.fields([
            "content": .string(content),
            "allowed_mentions": .fields(["parse": .array([])]),
            "flags": ephemeral ? .int(ephemeralFlag) : nil,
        ])
        return WebhookReply(contentType: "application/json", body: JSONValue.fields(["type": .int(4), "data": data]).jsonBytes)
    }
}
