import COpenSSL
import Foundation

/// Signs JWTs with RS256 (RSASSA-PKCS1-v1_5 over SHA-256) through OpenSSL's EVP_DigestSign.
struct RS256Signer: Sendable {
    let key: PrivateKey

    /// nil when `pem` is not an unencrypted RSA private key.
    init?(pem: Secret) throws(CertificateError) {
        guard let key = try PrivateKey.parse(pem: pem.bytes), EVP_PKEY_get_base_id(key.evpPKey) == EVP_PKEY_RSA else { return nil }
        self.key = key
    }

    /// `header.claims.signature`, each part base64url without padding.
    func token(claims: [String: Any]) throws(CertificateError) -> String {
        let header = Self.base64URL(Array(#"{"alg":"RS256","typ":"JWT"}"#.utf8))
        guard let claimsJSON = try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]) else {
            throw .openSSL("encode the JWT claims")
        }
        let signingInput = header + "." + Self.base64URL(Array(claimsJSON))
        return signingInput + "." + Self.base64URL(try sign(Array(signingInput.utf8)))
    }

    private func sign(_ message: [UInt8]) throws(CertificateError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw .openSSL("allocate a digest context") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key.evpPKey) == 1 else { throw .openSSL("start an RS256 signature") }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else { throw .openSSL("size an RS256 signature") }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else { throw .openSSL("make an RS256 signature") }
        return Array(signature.prefix(length))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
