/// The exact HTTP response a platform expects to a delivery: a handshake's answer, or the
/// acknowledgement Warden sends once the delivery is durable.
public struct WebhookReply: Sendable, Equatable {
    public var status: Int
    /// Nil with an empty body.
    public var contentType: String?
    public var body: [UInt8]

    public init(status: Int = 200, contentType: String? = nil, body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func text(_ text: String) -> WebhookReply {
        WebhookReply(contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    public static func json(_ json: String) -> WebhookReply {
        WebhookReply(contentType: "application/json", body: Array(json.utf8))
    }

    public static let empty = WebhookReply()

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// What to answer once `events` (one delivery's) are durable. A handshake is answered as
    /// itself. Most platforms want only a 2xx; Discord and Teams interactions must be answered in
    /// the response, within 3 seconds, in their own shapes.
    public static func acknowledgement(platform: ChannelPlatform, events: [InboundEvent]) -> WebhookReply {
        for case .handshake(let reply) in events { return reply }
        switch platform {
        case .discord: return DiscordInteractionResponse.acknowledging(events.first)
        case .teams:
            guard case .approvalAction(let action)? = events.first, action.card != nil else { return .empty }
            // An `adaptiveCard/action` invoke must be answered with an invoke response.
            return .json(#"{"statusCode":200,"type":"application/vnd.microsoft.activity.message","value":"Decision received."}"#)
        case .googleChat: return .json("{}")
        case .slack, .telegram, .whatsapp, .github, .linear: return .empty
        }
    }
}
