import Core
import Foundation

/// Standard Webhooks signatures (standardwebhooks.com): HMAC-SHA256 under the secret's bytes
/// over `{webhook-id}.{webhook-timestamp}.{body}`, sent as `webhook-signature: v1,<base64>`,
/// so a receiver can check them with any of the specification's libraries.
public struct StandardWebhookSigner: Sendable {
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"

    private let secret: WebhookSigningSecret

    public init(secret: WebhookSigningSecret) { self.secret = secret }

    /// `v1,` and the base64 of the MAC.
    public func signature(messageID: String, timestamp: Int64, body: [UInt8]) -> String {
        let signed = Array("\(messageID).\(timestamp).".utf8) + body
        return "v1," + Data(Crypto.hmacSHA256(key: secret.bytes, message: signed)).base64EncodedString()
    }

    /// The three headers of one attempt, `timestamp` in Unix seconds. Each attempt is signed
    /// afresh, so a retry carries its own time and passes the receiver's freshness check.
    public func headers(messageID: String, timestamp: Int64, body: [UInt8]) -> [(name: String, value: String)] {
        [(Self.idHeader, messageID), (Self.timestampHeader, String(timestamp)),
         (Self.signatureHeader, signature(messageID: messageID, timestamp: timestamp, body: body))]
    }
}
