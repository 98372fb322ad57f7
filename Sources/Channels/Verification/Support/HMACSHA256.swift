import COpenSSL

/// HMAC-SHA256, the MAC behind Slack, GitHub, WhatsApp and Linear signatures.
enum HMACSHA256 {
    static let byteCount = 32

    static func authenticationCode(key: WebhookSecret, message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let ok = key.bytes.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, &out, &length) != nil
            }
        }
        // Only an allocation failure inside OpenSSL gets here; nothing sensible can verify then.
        precondition(ok && length == UInt32(byteCount), "OpenSSL HMAC-SHA256 failed")
        return out
    }
}
