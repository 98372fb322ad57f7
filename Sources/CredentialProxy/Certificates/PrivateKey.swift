import COpenSSL

/// An `EVP_PKEY` holding a private key, freed with this object. Its description and mirror
/// show the key type only: the key must never reach a log line.
///
/// Sendable because OpenSSL keys are safe to use from several threads once made, as long as
/// nobody mutates them; nothing here does.
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The `EVP_PKEY *`, for `SSL_CTX_use_PrivateKey` and the like. Borrowed: valid while this
    /// object lives (OpenSSL takes its own reference when it keeps the key).
    public let evpPKey: OpaquePointer

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) { self.evpPKey = pointer }

    deinit { EVP_PKEY_free(evpPKey) }

    /// A fresh EC P-256 key: every client takes it, and it is cheap to generate and sign with.
    static func generateP256() throws(CertificateError) -> PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw .openSSL("set up EC key generation") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
              EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
              EVP_PKEY_generate(context, &key) == 1, let key else { throw .openSSL("generate an EC P-256 key") }
        return PrivateKey(owning: key)
    }

    /// Parses an unencrypted PEM private key. nil (with the queue cleared) if `pem` is not one;
    /// an encrypted key is refused rather than prompting for a passphrase on the terminal.
    static func parse(pem: [UInt8]) throws(CertificateError) -> PrivateKey? {
        let key = try MemoryBIO.reading(pem) { bio in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let key else { _ = OpenSSLErrorQueue.drain(); return nil }
        return PrivateKey(owning: key)
    }

    /// PKCS#8 PEM. Internal on purpose: only the CA key file and tests need the key's bytes.
    /// Callers should wipe the array once written.
    func pkcs8PEM() throws(CertificateError) -> [UInt8] {
        try MemoryBIO.writing("write a private key as PEM", secret: true) { bio in
            PEM_write_bio_PrivateKey(bio, evpPKey, nil, nil, 0, nil, nil) == 1
        }
    }

    /// Whether both hold the same key pair (compares public parts only).
    func isSameKey(as other: PrivateKey) -> Bool { EVP_PKEY_eq(evpPKey, other.evpPKey) == 1 }

    /// The algorithms the CA can sign certificates with using SHA-256.
    var canSignWithSHA256: Bool {
        let type = EVP_PKEY_get_base_id(evpPKey)
        return type == EVP_PKEY_EC || type == EVP_PKEY_RSA
    }

    var typeName: String {
        guard let name = EVP_PKEY_get0_type_name(evpPKey) else { return "unknown" }
        return String(cString: name)
    }

    public var description: String { "PrivateKey(\(typeName), <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .class) }
}
