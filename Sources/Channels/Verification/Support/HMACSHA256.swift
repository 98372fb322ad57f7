import Core

/// HMAC-SHA256, the MAC behind Slack, GitHub, WhatsApp and Linear signatures, over a
/// platform's secret (the computation itself is the core's, shared with outbound webhooks).
enum HMACSHA256 {
    static let byteCount = 32

    static func authenticationCode(key: WebhookSecret, message: [UInt8]) -> [UInt8] {
        Crypto.hmacSHA256(key: key.bytes, message: message)
    }
}
