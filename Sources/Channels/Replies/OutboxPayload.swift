import Foundation

/// What an outbox row sends, fixed when the row is made so every attempt sends the same thing:
/// the thread it goes to and the reply's text, or the approval card (and, for an update, how the
/// approval ended). The bot token is not here: the worker names its credential at send time.
struct OutboxPayload: Codable, Equatable {
    var target: ReplyTarget
    var text: String?
    var card: ApprovalCard?
    var outcome: ApprovalOutcome?

    var json: String {
        // Strings, optionals and enums with raw values always encode.
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String) throws(OutboxError) -> OutboxPayload {
        do {
            return try JSONDecoder().decode(OutboxPayload.self, from: Data(text.utf8))
        } catch {
            throw .unreadablePayload("\(error)")
        }
    }
}

/// The kinds of `channel_outbox` rows.
enum OutboxKind: String, CaseIterable {
    case reply
    case card
    case cardUpdate = "card_update"
}

/// Why a row cannot be sent at all: no attempt would do better, so it is failed with this reason.
enum OutboxError: Error, Equatable, CustomStringConvertible {
    case unreadablePayload(String)
    case channelGone(String)
    case noBotCredential(String)
    case credentialGone(String)
    case cardNotPosted(String)

    var description: String {
        switch self {
        case .unreadablePayload(let reason): return "the stored payload does not decode (\(reason))"
        case .channelGone(let id): return "channel \(id) was deleted"
        case .noBotCredential(let id): return "channel \(id) has no bot_credential_id to reply with"
        case .credentialGone(let id): return "the bot credential \(id) was deleted"
        case .cardNotPosted(let approval): return "the card of \(approval) was never posted, so there is nothing to update"
        }
    }
}
