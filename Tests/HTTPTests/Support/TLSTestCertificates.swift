import COpenSSL
import Foundation

/// An EC P-256 key made with OpenSSL at test time.
final class TLSTestKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        let context = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil)!
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        precondition(EVP_PKEY_keygen_init(context) == 1
                     && EVP_PKEY_CTX_set_ec_paramgen_curve_nid(context, NID_X9_62_prime256v1) == 1
                     && EVP_PKEY_keygen(context, &key) == 1, "EC key generation failed")
        pointer = key!
    }

    deinit { EVP_PKEY_free(pointer) }

    /// The key as unencrypted PKCS#8 PEM, as `TLSServerContext` takes it.
    var pem: String { pem(passphrase: nil) }

    /// The key as PKCS#8 PEM, encrypted (AES-128-CBC) when a passphrase is given.
    func pem(passphrase: String?) -> String {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        let secret = Array((passphrase ?? "").utf8)
        precondition(PEM_write_bio_PrivateKey(bio, pointer, passphrase == nil ? nil : EVP_aes_128_cbc(),
                                              secret, Int32(secret.count), nil, nil) == 1)
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let n = BIO_read(bio, &bytes, Int32(bytes.count))
        return String(decoding: bytes[0..<Int(max(n, 0))], as: UTF8.self)
    }
}

/// A certificate and its key, made with OpenSSL's C API so the tests need no `openssl` tool:
/// a CA, and server certificates it signs for chosen names and validity.
final class TLSTestCertificate: @unchecked Sendable {
    let x509: OpaquePointer
    let key: TLSTestKey

    private init(x509: OpaquePointer, key: TLSTestKey) {
        self.x509 = x509
        self.key = key
    }

    deinit { X509_free(x509) }

    /// A self-signed CA.
    static func authority(name: String = "Warden Test CA") -> TLSTestCertificate {
        let key = TLSTestKey()
        let x509 = makeCertificate(commonName: name, key: key, validFrom: -3600, until: 86400)
        X509_set_issuer_name(x509, X509_get_subject_name(x509))
        addExtensions(to: x509, issuer: x509, [
            (NID_basic_constraints, "critical,CA:TRUE"),
            (NID_key_usage, "critical,keyCertSign,cRLSign"),
            (NID_subject_key_identifier, "hash"),
        ])
        precondition(X509_sign(x509, key.pointer, EVP_sha256()) > 0, "signing the CA failed")
        return TLSTestCertificate(x509: x509, key: key)
    }

    /// An intermediate CA signed by this one.
    func issueAuthority(name: String) -> TLSTestCertificate {
        let key = TLSTestKey()
        let x509 = Self.makeCertificate(commonName: name, key: key, validFrom: -3600, until: 86400)
        X509_set_issuer_name(x509, X509_get_subject_name(self.x509))
        Self.addExtensions(to: x509, issuer: self.x509, [
            (NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
            (NID_key_usage, "critical,keyCertSign,cRLSign"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
        ])
        precondition(X509_sign(x509, self.key.pointer, EVP_sha256()) > 0, "signing the intermediate failed")
        return TLSTestCertificate(x509: x509, key: key)
    }

    /// A server certificate for `names` (DNS names or IP literals) signed by this CA.
    /// Validity is in seconds from now; negative values make an expired certificate.
    func issue(for names: [String], validFrom: Int = -3600, until: Int = 86400) -> TLSTestCertificate {
        let key = TLSTestKey()
        let x509 = Self.makeCertificate(commonName: names.first ?? "server", key: key, validFrom: validFrom, until: until)
        X509_set_issuer_name(x509, X509_get_subject_name(self.x509))
        let alternativeNames = names.map { name in
            name.contains(where: \.isLetter) && !name.contains(":") ? "DNS:\(name)" : "IP:\(name)"
        }
        Self.addExtensions(to: x509, issuer: self.x509, [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, "serverAuth"),
            (NID_subject_alt_name, alternativeNames.joined(separator: ",")),
            (NID_authority_key_identifier, "keyid:always"),
        ])
        precondition(X509_sign(x509, self.key.pointer, EVP_sha256()) > 0, "signing the certificate failed")
        return TLSTestCertificate(x509: x509, key: key)
    }

    var pem: String {
        let bio = BIO_new(BIO_s_mem())!
        defer { BIO_free(bio) }
        precondition(PEM_write_bio_X509(bio, x509) == 1)
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let n = BIO_read(bio, &bytes, Int32(bytes.count))
        return String(decoding: bytes[0..<Int(max(n, 0))], as: UTF8.self)
    }

    private static let serials = Serials()

    private static func makeCertificate(commonName: String, key: TLSTestKey, validFrom: Int, until: Int) -> OpaquePointer {
        let x509 = X509_new()!
        X509_set_version(x509, 2) // v3, which extensions need
        ASN1_INTEGER_set(X509_get_serialNumber(x509), serials.next())
        X509_gmtime_adj(X509_getm_notBefore(x509), validFrom)
        X509_gmtime_adj(X509_getm_notAfter(x509), until)
        X509_set_pubkey(x509, key.pointer)
        let name = Array(commonName.utf8)
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x509), "CN", MBSTRING_ASC, name, Int32(name.count), -1, 0)
        return x509
    }

    private static func addExtensions(to x509: OpaquePointer, issuer: OpaquePointer, _ extensions: [(Int32, String)]) {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer, x509, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                preconditionFailure("extension \(nid)=\(value) rejected")
            }
            X509_add_ext(x509, ext, -1)
            X509_EXTENSION_free(ext)
        }
    }

    private final class Serials: @unchecked Sendable {
        private let lock = NSLock()
        private var last = 1000
        func next() -> Int { lock.lock(); defer { lock.unlock() }; last += 1; return last }
    }
}
