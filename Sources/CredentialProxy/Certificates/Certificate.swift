import COpenSSL
import Foundation

/// An `X509` certificate, freed with this object.
///
/// Sendable because a finished certificate is only read, and OpenSSL allows concurrent reads
/// (it reference-counts and caches decoded extensions under its own lock).
public final class Certificate: @unchecked Sendable, CustomStringConvertible {
    /// The `X509 *`, for `SSL_CTX_use_certificate`, `X509_STORE_add_cert` and the like.
    /// Borrowed: valid while this object lives (OpenSSL takes its own reference when it keeps it).
    public let x509: OpaquePointer
    /// The PEM text, as written to ca.crt or handed to tests and tools.
    public let pem: String
    public let notBefore: Date
    public let notAfter: Date

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) throws(CertificateError) {
        x509 = pointer
        do throws(CertificateError) {
            let bytes = try MemoryBIO.writing("write a certificate as PEM") { PEM_write_bio_X509($0, pointer) == 1 }
            pem = String(decoding: bytes, as: UTF8.self)
            notBefore = try Self.date(X509_get0_notBefore(pointer), "read a certificate's notBefore")
            notAfter = try Self.date(X509_get0_notAfter(pointer), "read a certificate's notAfter")
        } catch {
            X509_free(pointer)
            throw error
        }
    }

    deinit { X509_free(x509) }

    /// The first certificate in `pem`, or nil (with the queue cleared) if there is none.
    static func parse(pem: [UInt8]) throws(CertificateError) -> Certificate? {
        let pointer = try MemoryBIO.reading(pem) { bio in PEM_read_bio_X509(bio, nil, nil, nil) }
        guard let pointer else { _ = OpenSSLErrorQueue.drain(); return nil }
        return try Certificate(owning: pointer)
    }

    /// Whether `key` is the private half of this certificate's public key.
    func isCertified(_ key: PrivateKey) -> Bool {
        defer { _ = OpenSSLErrorQueue.drain() }  // a mismatch leaves a reason in the queue
        return X509_check_private_key(x509, key.evpPKey) == 1
    }

    /// The subject key identifier extension's value if there is one, else SHA-1 of the public key
    /// (RFC 5280 §4.2.1.2 method 1, as Warden writes it): a leaf's authority key identifier must
    /// repeat exactly what the CA certificate says.
    func subjectKeyIdentifier() throws(CertificateError) -> [UInt8] {
        let index = X509_get_ext_by_NID(x509, NID_subject_key_identifier, -1)
        if index >= 0, let x509Extension = X509_get_ext(x509, index), let data = X509_EXTENSION_get_data(x509Extension),
           let bytes = ASN1_STRING_get0_data(data),
           let identifier = DER.octetStringContent(Array(UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data))))),
           !identifier.isEmpty {
            return identifier
        }
        return try Self.publicKeyIdentifier(of: x509)
    }

    static func publicKeyIdentifier(of x509: OpaquePointer) throws(CertificateError) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_pubkey_digest(x509, EVP_sha1(), &digest, &length) == 1 else { throw .openSSL("hash a public key") }
        return Array(digest.prefix(Int(length)))
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?, _ operation: String) throws(CertificateError) -> Date {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { throw .openSSL(operation) }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    public var description: String { "Certificate(notAfter: \(notAfter))" }
}
