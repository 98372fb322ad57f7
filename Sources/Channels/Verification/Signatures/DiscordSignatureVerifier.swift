import Foundation

/// Discord interactions: `X-Signature-Ed25519` is the hex Ed25519 signature of
/// `X-Signature-Timestamp` followed by the raw body, under the application's public key.
/// Discord names no freshness window; 300 s (as Slack uses) bounds how long a captured
/// interaction can be replayed without refusing a slow but genuine delivery.
public struct DiscordSignatureVerifier: WebhookVerifier {
    public static let signatureHeader = "X-Signature-Ed25519"
    public static let timestampHeader = "X-Signature-Timestamp"

    private let publicKey: Ed25519PublicKey
    private let window: FreshnessWindow

    /// `publicKeyHex` is the application's "Public Key" from the Discord developer portal.
    public init(publicKeyHex: String, tolerance: TimeInterval = 300) throws(VerifierConfigurationError) {
        guard let raw = Hex.decode(publicKeyHex) else {
            throw .invalidPublicKey("it must be \(Ed25519PublicKey.byteCount * 2) hexadecimal digits")
        }
        publicKey = try Ed25519PublicKey(raw: raw)
        window = FreshnessWindow(seconds: tolerance, subject: "Discord interactions")
    }

    public func verify(_ delivery: InboundDelivery, now: Date) throws(VerificationFailure) {
        let timestampText = try delivery.requiredHeader(Self.timestampHeader)
        let signature = try HexSignatureHeader.decode(delivery.requiredHeader(Self.signatureHeader),
                                                      byteCount: Ed25519PublicKey.signatureByteCount,
                                                      header: Self.signatureHeader)
        let signedAt = try FreshnessWindow.unixSeconds(timestampText, header: Self.timestampHeader)
        guard publicKey.isValidSignature(signature, for: Array(timestampText.utf8) + delivery.body) else {
            throw .signatureInvalid("\(Self.signatureHeader) does not verify under the application's public key")
        }
        try window.check(signedAt, now: now, header: Self.timestampHeader)
    }
}
