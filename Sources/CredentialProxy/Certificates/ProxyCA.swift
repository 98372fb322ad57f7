import Foundation

/// The certificate authority the credential proxy signs leaf certificates with, so it can
/// terminate agents' TLS for hosts whose requests it must see. Its certificate is what
/// containers trust (mounted at /etc/warden/ca.crt); its key never leaves warden's memory and
/// `<data-dir>/proxy-ca/ca.key`.
///
/// An EC P-256 key: RSA keys are slow to generate and sign with, and Ed25519 certificates are
/// not accepted by every TLS stack an agent may bring (NSS refuses them, Java before 15 too),
/// while P-256 is accepted by all of them.
public final class ProxyCA: Sendable, CustomStringConvertible {
    public static let validity: TimeInterval = 3650 * 86_400
    /// Certificates start an hour in the past, so a clock slightly behind ours still accepts them.
    static let backdating: TimeInterval = 3600

    public let certificate: Certificate
    let key: PrivateKey
    /// The CA certificate's subject key identifier, repeated in every leaf.
    let keyIdentifier: [UInt8]
    public let certificatePath: String
    public let keyPath: String
    /// Whether this start made the certificate (and perhaps the key): worth a log line, since
    /// containers started with another ca.crt no longer trust the proxy.
    public let isNew: Bool

    /// The PEM that containers trust.
    public var certificatePEM: String { certificate.pem }

    init(certificate: Certificate, key: PrivateKey, files: ProxyCAFiles, isNew: Bool) throws(CertificateError) {
        self.certificate = certificate
        self.key = key
        self.keyIdentifier = try certificate.subjectKeyIdentifier()
        self.certificatePath = files.certificatePath
        self.keyPath = files.keyPath
        self.isNew = isNew
    }

    /// Loads `<dataDirectory>/proxy-ca/{ca.key,ca.crt}`, creating what is missing: both on first
    /// start, or a new certificate for an existing key whose certificate is gone. Refuses a key
    /// others may read, a certificate without its key, a pair that does not match and an expired
    /// certificate, each with what to do. `instanceID` names this warden in the CA's subject,
    /// so a person can tell two wardens' CAs apart.
    public static func loadOrCreate(dataDirectory: String, instanceID: String, now: Date = Date()) throws(CertificateError) -> ProxyCA {
        let files = ProxyCAFiles(dataDirectory: dataDirectory)
        try files.prepareDirectory()
        do {
            return try ProxyCAStartup(files: files, instanceID: instanceID, now: now).run()
        } catch .fileIO(_, "create", EEXIST) {
            // Another process created a file between our read and our create: use theirs.
            return try ProxyCAStartup(files: files, instanceID: instanceID, now: now).run()
        }
    }

    /// The subject CN: "Warden proxy CA" and the first characters of the instance id.
    static func commonName(instanceID: String) -> String {
        let short = String(instanceID.unicodeScalars.filter { $0.properties.isASCIIHexDigit || $0 == "-" }.prefix(8).map(Character.init))
        return short.isEmpty ? "Warden proxy CA" : "Warden proxy CA \(short)"
    }

    public var description: String { "ProxyCA(\(certificatePath), notAfter: \(certificate.notAfter))" }
}
