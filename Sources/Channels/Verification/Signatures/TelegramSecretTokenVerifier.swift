import Core
import Foundation

/// Telegram sends the `secret_token` given to `setWebhook` back in
/// `X-Telegram-Bot-Api-Secret-Token` on every update. It signs nothing, so this is a plain
/// shared-secret check.
public struct TelegramSecretTokenVerifier: WebhookVerifier {
    public static let tokenHeader = "X-Telegram-Bot-Api-Secret-Token"

    private let secretToken: WebhookSecret

    public init(secretToken: WebhookSecret) {
        self.secretToken = secretToken
    }

    public func verify(_ delivery: InboundDelivery, now: Date) throws(VerificationFailure) {
        let sent = try delivery.requiredHeader(Self.tokenHeader)
        // Comparing digests keeps the comparison constant-time even in the token's length.
        guard Crypto.constantTimeEqual(Crypto.sha256(Array(sent.utf8)), Crypto.sha256(secretToken.bytes)) else {
            throw .signatureInvalid("\(Self.tokenHeader) is not the secret token this bot's webhook was set with")
        }
    }
}
