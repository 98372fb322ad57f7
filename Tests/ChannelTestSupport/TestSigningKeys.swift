import COpenSSL
import Core
import Foundation

/// Shared by ChannelsTests (verifiers) and APITests (webhook routes).
/// An Ed25519 key pair made with OpenSSL at test time, signing as a Discord application would.
public final class TestEd25519Key: @unchecked Sendable {
    private let key: OpaquePointer

    public init() {
        let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil)!
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        precondition(EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_keygen(context, &key) == 1, "Ed25519 keygen failed")
        self.key = key!
    }

    deinit { EVP_PKEY_free(key) }

    public var publicKeyHex: String {
        var raw = [UInt8](repeating: 0, count: 32)
        var length = raw.count
        precondition(EVP_PKEY_get_raw_public_key(key, &raw, &length) == 1 && length == 32)
        return Crypto.hex(raw)
    }

    public func signatureHex(_ message: [UInt8]) -> String {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        precondition(EVP_DigestSignInit(context, nil, nil, nil, key) == 1
                     && EVP_DigestSign(context, &signature, &length, message, message.count) == 1)
        return Crypto.hex(signature)
    }
}

/// A 2048-bit RSA key pair made with OpenSSL at test time, signing RS256 tokens as Microsoft
/// or Google would, and publishing its public half as a JWK.
public final class TestRSAKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// Two keys serve every test: generating RSA keys is the slow part.
    public static let first = TestRSAKey()
    public static let second = TestRSAKey()

    public init(bits: Int32 = 2048) {
        let context = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nil)!
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        precondition(EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(context, bits) == 1
                     && EVP_PKEY_keygen(context, &key) == 1, "RSA keygen failed")
        self.key = key!
    }

    deinit { EVP_PKEY_free(key) }

    public func signRS256(_ message: [UInt8]) -> [UInt8] {
        let context = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        precondition(EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1
                     && EVP_DigestSign(context, nil, &length, message, message.count) == 1)
        var signature = [UInt8](repeating: 0, count: length)
        precondition(EVP_DigestSign(context, &signature, &length, message, message.count) == 1)
        return Array(signature.prefix(length))
    }

    /// The private key as PKCS#8 PEM, as in a Google service account's JSON key.
    public var pkcs8PEM: String {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        precondition(PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1, "PEM export failed")
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = BIO_read(bio, &bytes, Int32(bytes.count))
        return String(decoding: bytes.prefix(Int(max(n, 0))), as: UTF8.self)
    }

    /// A Google service account's JSON key holding this key.
    public func serviceAccountJSON(tokenURI: String = "https://oauth2.googleapis.com/token") -> String {
        let object: [String: String] = ["type": "service_account", "client_email": "bot@project.iam.gserviceaccount.com",
                                        "private_key": pkcs8PEM, "private_key_id": "k1", "token_uri": tokenURI]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// The public key as a JWKS entry, the way login.botframework.com publishes its keys.
    public func jwk(kid: String, endorsements: [String]? = nil) -> [String: Any] {
        var entry: [String: Any] = ["kty": "RSA", "use": "sig", "kid": kid,
                                    "n": Crypto.base64URL(number("n")), "e": Crypto.base64URL(number("e"))]
        if let endorsements { entry["endorsements"] = endorsements }
        return entry
    }

    private func number(_ name: String) -> [UInt8] {
        var bn: OpaquePointer?
        precondition(EVP_PKEY_get_bn_param(key, name, &bn) == 1)
        defer { BN_free(bn) }
        var bytes = [UInt8](repeating: 0, count: (Int(BN_num_bits(bn)) + 7) / 8)
        _ = BN_bn2bin(bn, &bytes)
        return bytes
    }
}

/// Compact JWTs for tests, signed (or deliberately not) as a test chooses.
public enum TestJWT {
    public static func json(_ object: [String: Any]) -> [UInt8] {
        Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    public static func jwks(_ keys: [[String: Any]]) -> [UInt8] { json(["keys": keys]) }

    /// `header.payload` in base64url, before a signature is appended.
    public static func signingInput(header: [String: Any], claims: [String: Any]) -> String {
        Crypto.base64URL(json(header)) + "." + Crypto.base64URL(json(claims))
    }

    public static func rs256(_ claims: [String: Any], kid: String, key: TestRSAKey) -> String {
        let input = signingInput(header: ["alg": "RS256", "typ": "JWT", "kid": kid], claims: claims)
        return input + "." + Crypto.base64URL(key.signRS256(Array(input.utf8)))
    }
}
