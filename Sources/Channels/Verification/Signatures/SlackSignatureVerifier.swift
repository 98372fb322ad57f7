import Core
import Foundation

/// Slack's v0 request signing: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret,
/// "v0:{X-Slack-Request-Timestamp}:{raw body}")>`, with the timestamp within 300 s of now in
/// either direction, as Slack's SDKs check it.
public struct SlackSignatureVerifier: WebhookVerifier {
    public static let signatureHeader = "X-Slack-Signature"
    public static let timestampHeader = "X-Slack-Request-Timestamp"

    private let signingSecret: WebhookSecret
    private let window: FreshnessWindow

    public init(signingSecret: WebhookSecret, tolerance: TimeInterval = 300) {
        self.signingSecret = signingSecret
        window = FreshnessWindow(seconds: tolerance, subject: "Slack requests")
    }

    public func verify(_ delivery: InboundDelivery, now: Date) throws(VerificationFailure) {
        let timestampText = try delivery.requiredHeader(Self.timestampHeader)
        let signature = try HexSignatureHeader.decode(delivery.requiredHeader(Self.signatureHeader), prefix: "v0=",
                                                      byteCount: HMACSHA256.byteCount, header: Self.signatureHeader)
        let signedAt = try FreshnessWindow.unixSeconds(timestampText, header: Self.timestampHeader)
        // The base string uses the header text as sent, not a re-formatted number.
        let base = Array("v0:\(timestampText):".utf8) + delivery.body
        guard Crypto.constantTimeEqual(HMACSHA256.authenticationCode(key: signingSecret, message: base), signature) else {
            throw .signatureInvalid("\(Self.signatureHeader) does not match the body; check the app's signing secret")
        }
        try window.check(signedAt, now: now, header: Self.timestampHeader)
    }
}
