import COpenSSL

/// An Ed25519 public key held by OpenSSL (what Discord gives each application, as hex).
/// Immutable once built, and OpenSSL allows concurrent verifications with one EVP_PKEY.
final class Ed25519PublicKey: @unchecked Sendable {
    static let byteCount = 32
    static let signatureByteCount = 64

    private let key: OpaquePointer

    init(raw: [UInt8]) throws(VerifierConfigurationError) {
        guard raw.count == Self.byteCount else {
            throw .invalidPublicKey("an Ed25519 public key is \(Self.byteCount) bytes, not \(raw.count)")
        }
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            throw .invalidPublicKey("OpenSSL refused it as an Ed25519 public key")
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    /// Ed25519 signs the message itself (no separate digest), hence no EVP_MD.
    func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureByteCount, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }
}
