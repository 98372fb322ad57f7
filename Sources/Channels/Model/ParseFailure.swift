/// A verified delivery whose body is not what the platform sends at all (not JSON, a required
/// field missing or of the wrong type). Answered with `status` and `message`; nothing is stored.
/// Event types Warden merely does not handle are never failures: see `IgnoreReason`.
public enum ParseFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case notJSON(ChannelPlatform)
    /// Neither JSON nor the form encoding the platform uses for this kind of request.
    case unreadableBody(ChannelPlatform, expected: String)
    /// `field` is a dotted path such as `event.channel`.
    case missingField(ChannelPlatform, field: String)
    case missingHeader(ChannelPlatform, header: String)
    /// WhatsApp's subscription check named another verify token than the channel's.
    case verifyTokenMismatch
    case methodNotAllowed(ChannelPlatform, method: String)

    /// 400 for a malformed body; WhatsApp wants 403 for a wrong verify token.
    public var status: Int {
        switch self {
        case .verifyTokenMismatch: return 403
        case .methodNotAllowed: return 405
        case .notJSON, .unreadableBody, .missingField, .missingHeader: return 400
        }
    }

    /// The error envelope's `code`.
    public var code: String {
        switch self {
        case .notJSON: return "invalid_json"
        case .unreadableBody: return "invalid_body"
        case .missingField: return "missing_field"
        case .missingHeader: return "missing_header"
        case .verifyTokenMismatch: return "verify_token_mismatch"
        case .methodNotAllowed: return "method_not_allowed"
        }
    }

    public var message: String { description }

    public var description: String {
        switch self {
        case .notJSON(let platform): return "the \(platform.displayName) delivery is not a JSON object"
        case .unreadableBody(let platform, let expected):
            return "the \(platform.displayName) delivery is not \(expected)"
        case .missingField(let platform, let field):
            return "the \(platform.displayName) delivery lacks \(field), or it has the wrong type"
        case .missingHeader(let platform, let header): return "the \(platform.displayName) delivery lacks the \(header) header"
        case .verifyTokenMismatch: return "hub.verify_token does not match this channel's verify token"
        case .methodNotAllowed(let platform, let method): return "\(platform.displayName) does not send \(method) requests"
        }
    }
}
