import Store

/// One entry of a channel's delivery record: a reply, an approval card or a card's update
/// Warden sent (or is sending) to the platform, and how it went. The text itself stays in the
/// session's messages; the bot token is nowhere here.
public struct ChannelDeliveryLogEntry: Sendable, Equatable, JSONWritable {
    public var record: ChannelOutboxRecord

    public init(_ record: ChannelOutboxRecord) { self.record = record }

    public func write(to w: inout JSONWriter) {
        let r = record
        w.objectStart()
        w.key("attempts", r.attempts); w.key("channel_id", r.channelID); w.key("created_at", r.createdAt)
        w.key("delivered_at", r.deliveredAt); w.key("id", r.id); w.key("kind", r.kind)
        w.key("last_attempt_at", r.lastAttemptAt); w.key("last_error", r.lastError)
        w.key("next_attempt_at", r.nextAttemptAt); w.key("object", "channel_delivery"); w.key("parts_sent", r.partsSent)
        w.key("platform_message_ids"); w.array(ChannelOutboxRepository.decodeIDs(r.platformMessageIDs))
        w.key("session_id", r.sessionID); w.key("source_id", r.sourceID); w.key("status", r.status)
        w.objectEnd()
    }
}

extension WardenCore {
    /// A channel's delivery record, by id; an unknown channel is `notFound`.
    public func listChannelDeliveries(channel id: String, page: PageRequest) async throws -> Page<ChannelDeliveryLogEntry> {
        try await read { db in
            guard try ChannelRepository(db).find(id) != nil else { throw CoreError.notFound(kind: "channel", id: id) }
            return try ChannelOutboxRepository(db).list(channel: id, page: page)
        }.map(ChannelDeliveryLogEntry.init)
    }
}
