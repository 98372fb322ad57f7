import Channels
import Foundation
import HTTP
import Testing

/// A valid approval id (a ULID in Crockford base32), as Warden makes them.
let approvalID = "apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"

func parse(_ platform: ChannelPlatform, _ body: String, bot: BotIdentity, headers: HTTPHeaders = [:],
           method: String = "POST", query: [String: String] = [:], verifyToken: String? = nil) throws -> [InboundEvent] {
    let parser = ChannelParsers.parser(for: platform, bot: bot, whatsAppVerifyToken: verifyToken)
    return try parser.parse(InboundDelivery(method: method, headers: headers, query: query, body: body))
}

/// The one event of a delivery.
func single(_ events: [InboundEvent], sourceLocation: SourceLocation = #_sourceLocation) throws -> InboundEvent {
    try #require(events.count == 1, "expected one event, got \(events)", sourceLocation: sourceLocation)
    return events[0]
}

func message(_ events: [InboundEvent], sourceLocation: SourceLocation = #_sourceLocation) throws -> ChannelMessage {
    try the("a message", in: events, sourceLocation) { if case .message(let m) = $0 { m } else { nil } }
}

func approval(_ events: [InboundEvent], sourceLocation: SourceLocation = #_sourceLocation) throws -> ApprovalAction {
    try the("an approval action", in: events, sourceLocation) { if case .approvalAction(let a) = $0 { a } else { nil } }
}

func handshake(_ events: [InboundEvent], sourceLocation: SourceLocation = #_sourceLocation) throws -> WebhookReply {
    try the("a handshake", in: events, sourceLocation) { if case .handshake(let r) = $0 { r } else { nil } }
}

func ignoredReason(_ events: [InboundEvent], sourceLocation: SourceLocation = #_sourceLocation) throws -> IgnoreReason {
    try the("an ignored delivery", in: events, sourceLocation) { if case .ignored(let r) = $0 { r } else { nil } }
}

/// The payload of the delivery's one event, which must be of the expected kind.
private func the<T>(_ kind: String, in events: [InboundEvent], _ sourceLocation: SourceLocation,
                    _ pick: (InboundEvent) -> T?) throws -> T {
    guard let value = pick(try single(events, sourceLocation: sourceLocation)) else {
        Issue.record("expected \(kind), got \(events)", sourceLocation: sourceLocation)
        throw ExpectedEvent()
    }
    return value
}

struct ExpectedEvent: Error {}

/// Slack's interactive payloads arrive as `payload=<url-encoded JSON>`.
func formEncoded(_ fields: [(String, String)]) -> String {
    let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
    return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: unreserved)!)" }.joined(separator: "&")
}

/// Payloads replaced field by field, to derive variants from one documented example.
func replacing(_ text: String, _ pairs: [(String, String)]) -> String {
    pairs.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
}
