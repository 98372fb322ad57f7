import Store

/// One person's message from a chat platform, already verified and parsed, as the core stores it.
public struct ChannelInbound: Sendable, Equatable {
    /// The platform's retry-stable delivery id: a repeat within 24 h stores nothing.
    public var deliveryID: String
    /// The platform's id of the message itself: a second delivery of it stores nothing.
    public var messageID: String
    /// The stable name of the session it belongs to under the channel's sessions policy.
    public var sessionKey: String
    /// The title a new session gets, e.g. `slack #C123`.
    public var sessionTitle: String
    public var text: String
    public var authorID: String
    /// Where an answer to this message goes (the Channels module's `ReplyTarget` as JSON); the
    /// session's replies follow its latest message.
    public var replyTarget: String?

    public init(deliveryID: String, messageID: String, sessionKey: String, sessionTitle: String, text: String,
                authorID: String, replyTarget: String? = nil) {
        self.deliveryID = deliveryID; self.messageID = messageID; self.sessionKey = sessionKey
        self.sessionTitle = sessionTitle; self.text = text; self.authorID = authorID; self.replyTarget = replyTarget
    }
}

/// What became of one inbound message.
public enum ChannelIngestOutcome: Sendable, Equatable {
    case stored(session: String, message: String, run: String)
    /// The delivery id or the message id was seen before: nothing new was stored.
    case duplicate
}

extension Transaction {
    /// Stores a delivery's messages: the dedupe rows, the session each maps to (created on
    /// first use), and each message with its queued run, exactly as `POST …/messages` does.
    /// Run in one write, so an acknowledged delivery is durable and a retry stores nothing.
    /// Several messages of one delivery (a WhatsApp batch) may share its delivery id.
    public func ingestChannelMessages(_ messages: [ChannelInbound], channel: Channel) throws -> [ChannelIngestOutcome] {
        let inbound = ChannelInboundRepository(db)
        var newDeliveries = Set<String>(), seenDeliveries = Set<String>()
        var outcomes: [ChannelIngestOutcome] = []
        for message in messages {
            if !newDeliveries.contains(message.deliveryID) {
                if seenDeliveries.contains(message.deliveryID) { outcomes.append(.duplicate); continue }
                guard try inbound.recordDelivery(channel: channel.id, deliveryID: message.deliveryID, at: now) else {
                    seenDeliveries.insert(message.deliveryID)
                    outcomes.append(.duplicate)
                    continue
                }
                newDeliveries.insert(message.deliveryID)
            }
            let session = try channelSession(for: message, channel: channel)
            let messageID = makeID(.message)
            guard try inbound.recordMessage(channel: channel.id, messageID: message.messageID, wardenMessageID: messageID) else {
                outcomes.append(.duplicate)
                continue
            }
            if let target = message.replyTarget {
                try inbound.setReplyTarget(channel: channel.id, key: message.sessionKey, target: target)
            }
            let (stored, run) = try postMessage(
                IncomingMessage(content: [ContentBlock(text: message.text)], source: channel.platform,
                                author: message.authorID, externalID: message.messageID),
                to: session, reservedID: messageID)
            outcomes.append(.stored(session: session, message: stored.id, run: run.id))
        }
        return outcomes
    }

    /// The live session `message` maps to, created when the key is new or its session was
    /// archived. The channel owns it (its id is the owner): no API key created it, so no
    /// `client` key sees it; admins and operators do.
    private func channelSession(for message: ChannelInbound, channel: Channel) throws -> String {
        let inbound = ChannelInboundRepository(db)
        if let id = try inbound.session(channel: channel.id, key: message.sessionKey),
           let session = try SessionRepository(db).find(id), session.status != SessionStatus.archived.rawValue {
            return id
        }
        let session = try createSession(SessionInput(title: message.sessionTitle), owner: channel.id, channel: channel.id)
        try inbound.mapSession(channel: channel.id, key: message.sessionKey, session: session.id)
        return session.id
    }
}
