import COpenSSL

/// An RSA public key from a JWK's modulus and exponent, held by OpenSSL, for RS256
/// (RSASSA-PKCS1-v1_5 with SHA-256). Immutable once built; OpenSSL allows concurrent
/// verifications with one EVP_PKEY.
final class RSAPublicKey: @unchecked Sendable {
    /// Smaller moduli are factorable in practice; Microsoft and Google sign with 2048 bits.
    static let minimumBits: Int32 = 2048

    private let key: OpaquePointer

    /// `modulus` and `exponent` are big-endian unsigned integers, as JWK `n` and `e` carry them.
    init?(modulus: [UInt8], exponent: [UInt8]) {
        guard let key = Self.fromData(modulus: modulus, exponent: exponent) else { return nil }
        guard EVP_PKEY_get_bits(key) >= Self.minimumBits else {
            EVP_PKEY_free(key)
            return nil
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    func isValidRS256Signature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    /// OpenSSL 3's provider way to build a key from its numbers (the RSA_set0_key path is
    /// deprecated). The shim does not include param_build.h, so the OSSL_PARAM array is built
    /// directly: OSSL_PARAM keeps pointers to the names, hence static strings, and its integers
    /// are native-endian, hence the reversal of the JWK's big-endian bytes on this host.
    private static func fromData(modulus: [UInt8], exponent: [UInt8]) -> OpaquePointer? {
        guard !modulus.isEmpty, !exponent.isEmpty, let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            return nil
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_fromdata_init(context) == 1 else { return nil }
        var n = nativeEndian(modulus)
        var e = nativeEndian(exponent)
        var key: OpaquePointer?
        let built = n.withUnsafeMutableBufferPointer { nBuffer in
            e.withUnsafeMutableBufferPointer { eBuffer in
                var params = [
                    OSSL_PARAM_construct_BN(cString("n"), nBuffer.baseAddress, nBuffer.count),
                    OSSL_PARAM_construct_BN(cString("e"), eBuffer.baseAddress, eBuffer.count),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_PKEY_fromdata(context, &key, Self.publicKeySelection, &params) == 1
            }
        }
        return built ? key : nil
    }

    /// EVP_PKEY_PUBLIC_KEY, a macro of macros that Swift does not import.
    private static let publicKeySelection = Int32(OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS
        | OSSL_KEYMGMT_SELECT_PUBLIC_KEY)

    /// OSSL_PKEY_PARAM_RSA_N and _E, as pointers that stay valid for the life of the process.
    private static func cString(_ name: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func nativeEndian(_ bigEndian: [UInt8]) -> [UInt8] {
        UInt16(1).littleEndian == 1 ? bigEndian.reversed() : bigEndian
    }
}
