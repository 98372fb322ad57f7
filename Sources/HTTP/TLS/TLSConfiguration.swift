/// What an `HTTPClient` trusts when it speaks TLS. Verification is always on: there is no
/// switch to turn it off, only roots to add.
public struct TLSConfiguration: Sendable, Equatable {
    /// Trust the system's CA store (OpenSSL's default paths: on Debian, /etc/ssl/certs).
    public var trustsSystemRoots = true
    /// More CA certificates to trust, e.g. the proxy's own CA or a test CA.
    public var additionalRoots: [CertificateSource] = []
    public var minimumVersion: TLSVersion = .v1_2

    public init(trustsSystemRoots: Bool = true, additionalRoots: [CertificateSource] = [],
                minimumVersion: TLSVersion = .v1_2) {
        self.trustsSystemRoots = trustsSystemRoots
        self.additionalRoots = additionalRoots
        self.minimumVersion = minimumVersion
    }

    public enum CertificateSource: Sendable, Equatable {
        /// A PEM file holding one or more certificates.
        case file(String)
        /// PEM text holding one or more certificates.
        case pem(String)
    }

    public enum TLSVersion: Sendable, Equatable {
        case v1_2, v1_3
    }
}
