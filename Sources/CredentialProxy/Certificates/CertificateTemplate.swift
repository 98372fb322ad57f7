import COpenSSL
import Core
import Foundation

/// What goes into a certificate Warden signs; `sign` turns it into an X509.
struct CertificateTemplate {
    /// nil leaves the subject empty (a leaf whose host is too long for a CN: the SAN names it).
    var commonName: String?
    var notBefore: Date
    var notAfter: Date
    /// Besides these, every certificate gets a subject key identifier.
    var extensions: [CertificateExtension]

    /// The longest CN X.509 allows (RFC 5280's ub-common-name).
    static let maximumCommonNameLength = 64

    /// Signs a certificate for `subjectKey`'s public key: self-signed when `issuer` is nil,
    /// otherwise by the issuer's key under the issuer's subject name.
    func sign(subjectKey: PrivateKey, issuer: (certificate: Certificate, key: PrivateKey)?) throws(CertificateError) -> Certificate {
        guard let x509 = X509_new() else { throw .openSSL("allocate a certificate") }
        do throws(CertificateError) {
            try fill(x509, subjectKey: subjectKey, issuerName: issuer.map { X509_get_subject_name($0.certificate.x509) })
            guard X509_sign(x509, (issuer?.key ?? subjectKey).evpPKey, EVP_sha256()) > 0 else { throw .openSSL("sign a certificate") }
        } catch {
            X509_free(x509)
            throw error
        }
        return try Certificate(owning: x509)
    }

    private func fill(_ x509: OpaquePointer, subjectKey: PrivateKey, issuerName: OpaquePointer?) throws(CertificateError) {
        guard X509_set_version(x509, Int(X509_VERSION_3)) == 1 else { throw .openSSL("set the certificate version") }
        try Self.setRandomSerial(x509)
        guard ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.timeIntervalSince1970)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.timeIntervalSince1970)) != nil else {
            throw .openSSL("set the validity period")
        }
        guard let subject = X509_NAME_new() else { throw .openSSL("allocate a name") }
        defer { X509_NAME_free(subject) }
        if let commonName {
            precondition(commonName.utf8.count <= Self.maximumCommonNameLength)
            guard X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8, commonName, -1, -1, 0) == 1 else {
                throw .openSSL("set the subject name")
            }
        }
        guard X509_set_subject_name(x509, subject) == 1,
              X509_set_issuer_name(x509, issuerName ?? subject) == 1 else { throw .openSSL("set the subject and issuer") }
        guard X509_set_pubkey(x509, subjectKey.evpPKey) == 1 else { throw .openSSL("set the public key") }
        for item in extensions { try item.add(to: x509) }
        // SHA-1 of the public key as this certificate encodes it (RFC 5280 §4.2.1.2 method 1).
        // Taken from the certificate because encoding the key a second time would cost another
        // OpenSSL 3 encoder lookup (~170 µs, as much as the rest of a leaf).
        try CertificateExtension.subjectKeyIdentifier(Certificate.publicKeyIdentifier(of: x509)).add(to: x509)
    }

    /// 16 random bytes with the top bit clear (serials are positive) and the next one set
    /// (so the encoding is always 16 bytes): 126 bits of entropy, unique in practice.
    private static func setRandomSerial(_ x509: OpaquePointer) throws(CertificateError) {
        var bytes = Crypto.randomBytes(16)
        bytes[0] = bytes[0] & 0x7F | 0x40
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw .openSSL("make a serial number") }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x509)) != nil else { throw .openSSL("set the serial number") }
    }
}
