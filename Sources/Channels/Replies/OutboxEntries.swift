import Core
import Foundation
import Store

/// The outbox row an event calls for, if any: an assistant message in a session of a channel
/// becomes a reply; an approval requested there becomes a card; its resolution becomes the
/// card's update, when a card was made. Read and written inside the dispatcher's write, so
/// what it reads (the session's reply target, the card row) is what was committed before.
enum OutboxEntries {
    static let eventTypes = ["message.created", "approval.requested", "approval.resolved"]

    static func row(for event: EventRecord, _ tx: Transaction) throws -> ChannelOutboxRecord? {
        guard let session = try SessionRepository(tx.db).find(event.sessionID), let channelID = session.channel,
              let channel = try ChannelRepository(tx.db).find(channelID),
              let platform = ChannelPlatform(rawValue: channel.platform) else { return nil }
        let data = PayloadReader(platform: platform, value: JSONValue.decode(event.data))
        guard let sourceID = data.string("id") else { return nil }
        let kind: OutboxKind
        let payload: OutboxPayload
        switch event.type {
        case "message.created":
            guard data.string("role") == "assistant", let text = replyText(data),
                  let target = try replyTarget(channel: channelID, session: session.id, tx) else { return nil }
            (kind, payload) = (.reply, OutboxPayload(target: target, text: text))
        case "approval.requested":
            guard let target = try replyTarget(channel: channelID, session: session.id, tx) else { return nil }
            (kind, payload) = (.card, OutboxPayload(target: target, card: card(data, sessionTitle: session.title,
                                                                               approvers: Channel(channel).approvers)))
        case "approval.resolved":
            // Only a card that exists can be updated; the worker waits for it to be posted.
            guard let cardRow = try ChannelOutboxRepository(tx.db).find(kind: OutboxKind.card.rawValue, source: sourceID),
                  var cardPayload = try? OutboxPayload.decode(cardRow.payload),
                  let outcome = outcome(data) else { return nil }
            cardPayload.outcome = outcome
            (kind, payload) = (.cardUpdate, cardPayload)
        default:
            return nil
        }
        return ChannelOutboxRecord(id: tx.makeID(.channelDelivery), channelID: channelID, sessionID: session.id,
                                   kind: kind.rawValue, sourceID: sourceID, payload: payload.json,
                                   nextAttemptAt: tx.now, createdAt: tx.now)
    }

    /// The message's text blocks; nil when there is nothing to say (a turn of tool calls only).
    private static func replyText(_ message: PayloadReader) -> String? {
        let text = message.objects("content").compactMap { $0.string("type") == "text" ? $0.string("text") : nil }
            .joined(separator: "\n\n")
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }

    private static func replyTarget(channel: String, session: String, _ tx: Transaction) throws -> ReplyTarget? {
        try ChannelInboundRepository(tx.db).replyTarget(channel: channel, session: session).flatMap(ReplyTargetCoding.decode)
    }

    private static func card(_ approval: PayloadReader, sessionTitle: String, approvers: [String]) -> ApprovalCard {
        let preview = approval.string("request.body_preview")
        return ApprovalCard(approvalID: approval.string("id") ?? "", summary: approval.string("summary") ?? "(no summary)",
                            details: preview?.isEmpty == false ? preview : nil,
                            sessionTitle: sessionTitle.isEmpty ? nil : sessionTitle,
                            expiresAt: approval.string("expires_at"), approvers: approvers.isEmpty ? nil : approvers)
    }

    private static func outcome(_ approval: PayloadReader) -> ApprovalOutcome? {
        guard let status = approval.string("status").flatMap(ApprovalOutcome.Status.init(rawValue:)) else { return nil }
        return ApprovalOutcome(status: status, decidedBy: approval.string("decision.by"),
                               reason: approval.string("decision.reason"))
    }
}
