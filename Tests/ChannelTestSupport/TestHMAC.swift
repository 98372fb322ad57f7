import COpenSSL
import Core

/// HMAC-SHA256 as the platforms sign webhooks with a shared secret (Slack, GitHub, WhatsApp,
/// Linear), computed independently of the verifiers under test.
public enum TestHMAC {
    public static func sha256Hex(key: String, message: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let key = Array(key.utf8)
        precondition(HMAC(EVP_sha256(), key, Int32(key.count), message, message.count, &out, &length) != nil)
        return Crypto.hex(out)
    }
}
