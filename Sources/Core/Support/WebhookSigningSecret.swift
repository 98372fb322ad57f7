import Foundation

/// A Standard Webhooks signing secret: `whsec_` and the base64 of the key bytes. Warden makes
/// one per webhook (32 random bytes; the specification asks for 24 to 64) and shows it once.
/// It prints as `<redacted>`, so a log line or an error message cannot carry it by mistake.
public struct WebhookSigningSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    public static let prefix = "whsec_"
    public static let generatedByteCount = 32

    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// `whsec_<base64>`, or the bare base64 as the reference libraries also accept; nil when
    /// it is not base64 or holds no bytes.
    public init?(_ text: String) {
        let encoded = text.hasPrefix(Self.prefix) ? String(text.dropFirst(Self.prefix.count)) : text
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        bytes = Array(data)
    }

    public static func generate() -> WebhookSigningSecret {
        WebhookSigningSecret(bytes: Crypto.randomBytes(generatedByteCount))
    }

    /// The form a receiver configures: `whsec_` and standard base64.
    public func revealText() -> String { Self.prefix + Data(bytes).base64EncodedString() }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "WebhookSigningSecret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Constant time, so comparing secrets does not reveal where they differ.
    public static func == (a: WebhookSigningSecret, b: WebhookSigningSecret) -> Bool {
        Crypto.constantTimeEqual(a.bytes, b.bytes)
    }
}
