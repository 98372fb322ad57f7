/// A secret shared with a platform (Slack's signing secret, a GitHub webhook secret, Telegram's
/// secret token). Used as the platform uses it: its UTF-8 bytes as they were configured. It
/// prints as `<redacted>`, so neither a log line nor a failure message can carry it.
public struct WebhookSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let bytes: [UInt8]

    /// Refuses an empty secret: an HMAC under an empty key is one anyone can compute.
    public init(_ text: String) throws(VerifierConfigurationError) {
        guard !text.isEmpty else { throw .emptySecret }
        bytes = Array(text.utf8)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "WebhookSecret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
