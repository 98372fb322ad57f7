import Core
import Foundation

/// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, as GitHub signs webhooks
/// with the webhook secret and WhatsApp Cloud signs them with the Meta app secret. Neither signs
/// a timestamp, so replays are stopped by deduplicating delivery ids, not here.
public struct HubSignatureVerifier: WebhookVerifier {
    public static let signatureHeader = "X-Hub-Signature-256"

    private let secret: WebhookSecret

    public init(secret: WebhookSecret) {
        self.secret = secret
    }

    public func verify(_ delivery: InboundDelivery, now: Date) throws(VerificationFailure) {
        let signature = try HexSignatureHeader.decode(delivery.requiredHeader(Self.signatureHeader), prefix: "sha256=",
                                                      byteCount: HMACSHA256.byteCount, header: Self.signatureHeader)
        guard Crypto.constantTimeEqual(HMACSHA256.authenticationCode(key: secret, message: delivery.body), signature) else {
            throw .signatureInvalid("\(Self.signatureHeader) does not match the body; check the configured secret")
        }
    }
}
