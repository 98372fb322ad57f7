/// The requests one platform's API takes to answer in a thread and to ask for an approval.
protocol PlatformOutbound {
    static var platform: ChannelPlatform { get }

    /// One message of a reply, already within the platform's limit. `isFirst` marks the message
    /// that attaches to the target's anchor; the rest follow it in the thread.
    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) throws(OutboundError) -> OutboundRequest

    static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) throws(OutboundError) -> OutboundRequest
}

extension PlatformOutbound {
    /// Platforms without buttons get the card as text with the commands to type.
    static func approvalCard(_ card: ApprovalCard, to target: ReplyTarget, credential: String) throws(OutboundError) -> OutboundRequest {
        try message(platform.messageLimit.truncating(card.textWithCommands), to: target, isFirst: true, credential: credential)
    }

    static func replies(_ text: String, to target: ReplyTarget, credential: String) throws(OutboundError) -> [OutboundRequest] {
        var requests: [OutboundRequest] = []
        for (index, chunk) in MessageSplitter.split(text, limit: platform.messageLimit).enumerated() {
            requests.append(try message(chunk, to: target, isFirst: index == 0, credential: credential))
        }
        return requests
    }

    static func bearer(_ credential: String) -> String { "Bearer \(credential)" }
}
