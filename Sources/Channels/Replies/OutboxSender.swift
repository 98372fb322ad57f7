import Core
import Foundation
import Store

/// One attempt at an outbox row: what the row's channel and bot credential are now (a channel
/// or credential deleted since fails the row), the requests its payload makes, and the parts
/// not yet delivered sent through the transport (the credential proxy's outbound client).
struct OutboxSender: Sendable {
    let core: WardenCore
    let transport: any ChannelTransport

    /// Bot credentials without a placeholder still get their token: the outbound client sets the
    /// credential's inject header whatever the request carries, so any non-empty value does.
    static let defaultPlaceholder = "warden-bot-token"

    func attempt(_ row: ChannelOutboxRecord) async -> ReplyAttempt.Result {
        let sent = Int(row.partsSent)
        let plan: Plan
        do {
            plan = try await prepare(row)
        } catch let error as OutboxError {
            return .failed(partsSent: sent, reason: error.description)
        } catch {
            return .retry(partsSent: sent, after: nil, reason: "could not read the channel: \(error)")
        }
        let requests: [OutboundRequest]
        do {
            requests = try plan.requests()
        } catch {
            return .failed(partsSent: sent, reason: error.description)
        }
        return await ReplyAttempt.send(requests, from: sent, platform: plan.platform, apiOrigin: plan.apiOrigin,
                                       credentialID: plan.credentialID, session: row.sessionID, over: transport)
    }

    /// Everything an attempt needs, read in one snapshot.
    struct Plan {
        var kind: OutboxKind
        var payload: OutboxPayload
        var platform: ChannelPlatform
        var credentialID: String
        var placeholder: String
        var apiOrigin: String?
        /// For an update: the platform's id of the posted card.
        var cardMessageID: String?

        func requests() throws(OutboundError) -> [OutboundRequest] {
            let target = payload.target
            switch kind {
            case .reply:
                return try ChannelOutbound.replies(payload.text ?? "", to: target, credential: placeholder)
            case .card:
                guard let card = payload.card else { return [] }
                return [try ChannelOutbound.approvalCard(card, to: target, credential: placeholder)]
            case .cardUpdate:
                guard let card = payload.card, let outcome = payload.outcome else { return [] }
                if let id = cardMessageID, let handle = CardHandle.posted(in: target.thread, messageID: id) {
                    return [ChannelOutbound.cardUpdate(handle, card: card, outcome: outcome, credential: placeholder)]
                }
                // A text prompt (WhatsApp, GitHub, Linear) cannot be edited: the outcome follows it.
                return try ChannelOutbound.replies(outcome.text(for: card), to: target, credential: placeholder)
            }
        }
    }

    private func prepare(_ row: ChannelOutboxRecord) async throws -> Plan {
        guard let kind = OutboxKind(rawValue: row.kind) else { throw OutboxError.unreadablePayload("kind \(row.kind)") }
        let payload = try OutboxPayload.decode(row.payload)
        let (channel, credential, card) = try await core.read { db in
            let channel = try ChannelRepository(db).find(row.channelID)
            let credential = try channel?.botCredentialID.flatMap { try CredentialRepository(db).find(id: $0) }
            let card = kind == .cardUpdate
                ? try ChannelOutboxRepository(db).find(kind: OutboxKind.card.rawValue, source: row.sourceID) : nil
            return (channel, credential, card)
        }
        guard let channel else { throw OutboxError.channelGone(row.channelID) }
        guard let credentialID = channel.botCredentialID else { throw OutboxError.noBotCredential(channel.id) }
        guard let credential else { throw OutboxError.credentialGone(credentialID) }
        var cardMessageID: String?
        if kind == .cardUpdate {
            guard let card, card.status == "delivered" else { throw OutboxError.cardNotPosted(row.sourceID) }
            cardMessageID = ChannelOutboxRepository.decodeIDs(card.platformMessageIDs).first
        }
        let settings = JSONValue.decode(channel.settings)
        var apiOrigin: String?
        if case .string(let origin)? = settings["api_base_url"] { apiOrigin = origin }
        return Plan(kind: kind, payload: payload, platform: payload.target.thread.platform, credentialID: credentialID,
                    placeholder: credential.placeholder.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultPlaceholder,
                    apiOrigin: apiOrigin, cardMessageID: cardMessageID)
    }
}
