import Foundation

extension ProxyCA {
    /// Leaves live a month: short enough that nothing depends on one, long enough that a warden
    /// process rarely re-issues.
    public static let leafValidity: TimeInterval = 30 * 86_400

    /// Signs a certificate for `host` with a fresh EC P-256 key. Valid from an hour before `now`
    /// for `leafValidity`, never past the CA's own expiry.
    public func issueLeaf(for host: CertificateHost, now: Date) throws(CertificateError) -> LeafCertificate {
        let key = try PrivateKey.generateP256()
        // A long name cannot be a CN (64 characters at most); the SAN alone names it then.
        let fitsCommonName = host.text.utf8.count <= CertificateTemplate.maximumCommonNameLength
        let template = CertificateTemplate(
            commonName: fitsCommonName ? host.text : nil,
            notBefore: now - Self.backdating,
            notAfter: min(now + Self.leafValidity, certificate.notAfter),
            extensions: [
                .leafConstraints,
                .leafKeyUsage,
                .serverAuth,
                .subjectAlternativeName(host, critical: !fitsCommonName),
                .authorityKeyIdentifier(keyIdentifier),
            ])
        let leaf = try template.sign(subjectKey: key, issuer: (certificate, self.key))
        return LeafCertificate(host: host, certificate: leaf, privateKey: key)
    }
}
