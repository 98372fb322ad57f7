import Core
import Foundation

/// Linear: `Linear-Signature: <hex HMAC-SHA256(webhook secret, raw body)>`; once that holds, the
/// body's `webhookTimestamp` (milliseconds since 1970) must be within 60 s of now, as Linear
/// asks receivers to check, since the header carries no time of its own.
public struct LinearSignatureVerifier: WebhookVerifier {
    public static let signatureHeader = "Linear-Signature"

    private let secret: WebhookSecret
    private let window: FreshnessWindow

    public init(secret: WebhookSecret, tolerance: TimeInterval = 60) {
        self.secret = secret
        window = FreshnessWindow(seconds: tolerance, subject: "Linear webhooks")
    }

    public func verify(_ delivery: InboundDelivery, now: Date) throws(VerificationFailure) {
        let signature = try HexSignatureHeader.decode(delivery.requiredHeader(Self.signatureHeader),
                                                      byteCount: HMACSHA256.byteCount, header: Self.signatureHeader)
        guard Crypto.constantTimeEqual(HMACSHA256.authenticationCode(key: secret, message: delivery.body), signature) else {
            throw .signatureInvalid("\(Self.signatureHeader) does not match the body; check the webhook's signing secret")
        }
        try window.check(Self.webhookTimestamp(delivery.body), now: now, header: "webhookTimestamp")
    }

    /// Read only after the signature holds, so unauthenticated bytes never reach the JSON parser.
    private static func webhookTimestamp(_ body: [UInt8]) throws(VerificationFailure) -> Date {
        struct Envelope: Decodable { let webhookTimestamp: Double }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)) else {
            throw .payloadMalformed("a Linear webhook body must be a JSON object with webhookTimestamp, "
                + "milliseconds since 1970")
        }
        return Date(timeIntervalSince1970: envelope.webhookTimestamp / 1000)
    }
}
