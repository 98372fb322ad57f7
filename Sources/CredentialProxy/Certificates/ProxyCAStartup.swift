import Foundation

/// One attempt at loading or creating the proxy CA's files (see `ProxyCA.loadOrCreate`).
struct ProxyCAStartup {
    let files: ProxyCAFiles
    let instanceID: String
    let now: Date

    func run() throws(CertificateError) -> ProxyCA {
        guard var keyPEM = try files.readKey() else {
            if try files.readCertificate() != nil {
                throw .certificateWithoutKey(certificatePath: files.certificatePath, keyPath: files.keyPath)
            }
            return try createAuthority()
        }
        let key = try parseKey(keyPEM)
        wipe(&keyPEM)
        guard let certificatePEM = try files.readCertificate() else { return try certify(key) }
        guard let certificate = try Certificate.parse(pem: certificatePEM) else {
            throw .unreadableCertificate(path: files.certificatePath, reason: "it holds no PEM certificate")
        }
        guard certificate.isCertified(key) else {
            throw .certificateKeyMismatch(certificatePath: files.certificatePath, keyPath: files.keyPath)
        }
        guard certificate.notAfter > now else {
            throw .authorityExpired(certificatePath: files.certificatePath, notAfter: "\(certificate.notAfter)")
        }
        return try ProxyCA(certificate: certificate, key: key, files: files, isNew: false)
    }

    /// The key is written before the certificate: if warden stops in between, the next start
    /// finds the key and only makes a certificate for it.
    private func createAuthority() throws(CertificateError) -> ProxyCA {
        let key = try PrivateKey.generateP256()
        let certificate = try selfSignedCertificate(for: key)
        var keyPEM = try key.pkcs8PEM()
        defer { wipe(&keyPEM) }
        try files.createKey(keyPEM)
        try files.createCertificate(Array(certificate.pem.utf8))
        return try ProxyCA(certificate: certificate, key: key, files: files, isNew: true)
    }

    private func certify(_ key: PrivateKey) throws(CertificateError) -> ProxyCA {
        let certificate = try selfSignedCertificate(for: key)
        try files.createCertificate(Array(certificate.pem.utf8))
        return try ProxyCA(certificate: certificate, key: key, files: files, isNew: true)
    }

    private func selfSignedCertificate(for key: PrivateKey) throws(CertificateError) -> Certificate {
        let template = CertificateTemplate(
            commonName: ProxyCA.commonName(instanceID: instanceID),
            notBefore: now - ProxyCA.backdating,
            notAfter: now + ProxyCA.validity,
            extensions: [
                .authorityConstraints,
                .authorityKeyUsage,
            ])
        return try template.sign(subjectKey: key, issuer: nil)
    }

    private func parseKey(_ pem: [UInt8]) throws(CertificateError) -> PrivateKey {
        guard let key = try PrivateKey.parse(pem: pem) else {
            throw .unreadableKey(path: files.keyPath, reason: "it is not an unencrypted PEM private key")
        }
        guard key.canSignWithSHA256 else {
            throw .unreadableKey(path: files.keyPath, reason: "it is a \(key.typeName) key; the CA needs an EC or RSA key")
        }
        return key
    }

    private func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}
