import COpenSSL

/// One X.509 v3 extension: its OID (as an OpenSSL NID), criticality and DER value.
struct CertificateExtension {
    let nid: Int32
    let critical: Bool
    let value: [UInt8]

    /// `CA:TRUE, pathlen:0`: the CA signs leaves only, never another CA.
    static let authorityConstraints = CertificateExtension(
        nid: NID_basic_constraints, critical: true, value: DER.sequence(DER.booleanTrue, DER.smallInteger(0)))

    /// `CA:FALSE` (the empty sequence: DER omits the default).
    static let leafConstraints = CertificateExtension(nid: NID_basic_constraints, critical: false, value: DER.sequence())

    /// keyCertSign (5) and cRLSign (6).
    static let authorityKeyUsage = CertificateExtension(nid: NID_key_usage, critical: true, value: DER.namedBits([5, 6]))

    /// digitalSignature (0): all an ECDSA server key does in TLS.
    static let leafKeyUsage = CertificateExtension(nid: NID_key_usage, critical: true, value: DER.namedBits([0]))

    /// id-kp-serverAuth, 1.3.6.1.5.5.7.3.1.
    static let serverAuth = CertificateExtension(
        nid: NID_ext_key_usage, critical: false,
        value: DER.sequence([0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]))

    /// One dNSName or iPAddress. Critical when the subject is empty, as RFC 5280 requires.
    static func subjectAlternativeName(_ host: CertificateHost, critical: Bool) -> CertificateExtension {
        let name = host.ipAddress.map { DER.contextPrimitive(7, $0) } ?? DER.contextPrimitive(2, Array(host.text.utf8))
        return CertificateExtension(nid: NID_subject_alt_name, critical: critical, value: DER.sequence(name))
    }

    static func subjectKeyIdentifier(_ identifier: [UInt8]) -> CertificateExtension {
        CertificateExtension(nid: NID_subject_key_identifier, critical: false, value: DER.octetString(identifier))
    }

    /// Names the CA's key by its subject key identifier, so clients pick the right issuer.
    static func authorityKeyIdentifier(_ identifier: [UInt8]) -> CertificateExtension {
        CertificateExtension(nid: NID_authority_key_identifier, critical: false,
                             value: DER.sequence(DER.contextPrimitive(0, identifier)))
    }

    /// Adds this extension to `x509` (which copies it).
    func add(to x509: OpaquePointer) throws(CertificateError) {
        guard let data = ASN1_OCTET_STRING_new() else { throw .openSSL("allocate an extension") }
        defer { ASN1_OCTET_STRING_free(data) }
        guard ASN1_OCTET_STRING_set(data, value, Int32(value.count)) == 1,
              let x509Extension = X509_EXTENSION_create_by_NID(nil, nid, critical ? 1 : 0, data) else {
            throw .openSSL("encode a certificate extension")
        }
        defer { X509_EXTENSION_free(x509Extension) }
        guard X509_add_ext(x509, x509Extension, -1) == 1 else { throw .openSSL("add a certificate extension") }
    }
}
