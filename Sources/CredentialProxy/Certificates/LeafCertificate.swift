import Foundation

/// What a TLS server needs to present itself as `host` to an agent: a certificate signed by
/// the proxy CA and its private key.
public struct LeafCertificate: Sendable, CustomStringConvertible {
    public let host: CertificateHost
    public let certificate: Certificate
    public let privateKey: PrivateKey

    public var notAfter: Date { certificate.notAfter }

    public var description: String { "LeafCertificate(\(host), notAfter: \(notAfter))" }
}
