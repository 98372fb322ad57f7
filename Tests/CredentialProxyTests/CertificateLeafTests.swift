import COpenSSL
@testable import CredentialProxy
import Foundation
import Testing

@Suite("Proxy CA: leaf certificates")
struct CertificateLeafTests {
    @Test func aLeafVerifiesForItsHostAndNoOther() throws {
        try withProxyCA { ca, _ in
            let leaf = try ca.issueLeaf(for: CertificateHost("api.example.com"), now: Date())
            #expect(verificationFailure(of: leaf.certificate, host: "api.example.com", authority: ca.certificate) == nil)
            #expect(verificationFailure(of: leaf.certificate, host: "API.example.com", authority: ca.certificate) == nil,
                    "host names compare without case")
            #expect(verificationFailure(of: leaf.certificate, host: "evil.example.com", authority: ca.certificate) == "hostname mismatch")
            #expect(verificationFailure(of: leaf.certificate, host: "example.com", authority: ca.certificate) == "hostname mismatch")
            #expect(verificationFailure(of: leaf.certificate, host: "x.api.example.com", authority: ca.certificate) == "hostname mismatch")
        }
    }

    @Test func anIPLiteralGetsAnIPAddressSAN() throws {
        try withProxyCA { ca, _ in
            let v4 = try ca.issueLeaf(for: CertificateHost("127.0.0.1"), now: Date())
            #expect(verificationFailure(of: v4.certificate, host: "127.0.0.1", authority: ca.certificate) == nil)
            #expect(verificationFailure(of: v4.certificate, host: "127.0.0.2", authority: ca.certificate) == "IP address mismatch")
            #expect(verificationFailure(of: v4.certificate, host: "localhost", authority: ca.certificate) == "hostname mismatch")
            let san = try #require(extensionValue(v4.certificate, NID_subject_alt_name))
            #expect(san.value == [0x30, 0x06, 0x87, 0x04, 127, 0, 0, 1])

            let v6 = try ca.issueLeaf(for: CertificateHost("[::1]"), now: Date())
            #expect(verificationFailure(of: v6.certificate, host: "::1", authority: ca.certificate) == nil)
            #expect(verificationFailure(of: v6.certificate, host: "::2", authority: ca.certificate) == "IP address mismatch")
        }
    }

    @Test func aLeafFromAnotherCAIsNotTrusted() throws {
        try withProxyCA { ca, _ in
            try withProxyCA { other, _ in
                let leaf = try other.issueLeaf(for: CertificateHost("example.com"), now: Date())
                #expect(verificationFailure(of: leaf.certificate, host: "example.com", authority: ca.certificate) != nil)
            }
        }
    }

    @Test func theLeafIsAServerCertificateForAMonthWithItsOwnKey() throws {
        let now = Date()
        try withProxyCA { ca, _ in
            let leaf = try ca.issueLeaf(for: CertificateHost("example.com"), now: now)
            let certificate = leaf.certificate
            #expect(abs(certificate.notBefore.timeIntervalSince(now) + 3600) < 2)
            #expect(abs(certificate.notAfter.timeIntervalSince(now) - 30 * 86_400) < 2)
            #expect(certificate.isCertified(leaf.privateKey))
            #expect(!leaf.privateKey.isSameKey(as: ca.key))
            #expect(EVP_PKEY_get_base_id(leaf.privateKey.evpPKey) == EVP_PKEY_EC)
            #expect(extensionValue(certificate, NID_basic_constraints)?.value == [0x30, 0x00], "CA:FALSE")
            #expect(extensionValue(certificate, NID_ext_key_usage)?.value == [0x30, 0x0A, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01])
            #expect(extensionValue(certificate, NID_authority_key_identifier)?.value == [0x30, 0x16, 0x80, 0x14] + ca.keyIdentifier)
            #expect(extensionValue(certificate, NID_subject_alt_name)?.value == [0x30, 0x0D, 0x82, 0x0B] + Array("example.com".utf8))
            #expect(extensionValue(certificate, NID_subject_alt_name)?.critical == false)
            #expect(serial(of: certificate).count == 16)
            #expect(extensionValue(certificate, NID_subject_key_identifier)?.value
                    == [0x04, 0x14] + (try Certificate.publicKeyIdentifier(of: certificate.x509)))

            let other = try ca.issueLeaf(for: CertificateHost("example.com"), now: now)
            #expect(!other.privateKey.isSameKey(as: leaf.privateKey))
            #expect(serial(of: other.certificate) != serial(of: certificate))
        }
    }

    @Test func aLeafAtTheTimesItIsValid() throws {
        let now = Date()
        try withProxyCA { ca, _ in
            let leaf = try ca.issueLeaf(for: CertificateHost("example.com"), now: now)
            #expect(verificationFailure(of: leaf.certificate, host: "example.com", authority: ca.certificate, at: now - 1800) == nil,
                    "back-dated for a client clock slightly behind")
            #expect(verificationFailure(of: leaf.certificate, host: "example.com", authority: ca.certificate,
                                        at: now + 31 * 86_400) == "certificate has expired")
        }
    }

    @Test func aNameTooLongForACommonNameIsInTheSANOnly() throws {
        let host = String(repeating: "a", count: 60) + ".example.com"
        try withProxyCA { ca, _ in
            let leaf = try ca.issueLeaf(for: CertificateHost(host), now: Date())
            #expect(X509_NAME_entry_count(X509_get_subject_name(leaf.certificate.x509)) == 0)
            #expect(extensionValue(leaf.certificate, NID_subject_alt_name)?.critical == true, "RFC 5280 with an empty subject")
            #expect(verificationFailure(of: leaf.certificate, host: host, authority: ca.certificate) == nil)
        }
    }

    @Test func aLeafNeverOutlivesTheCA() throws {
        let directory = try makeTemporaryDirectory("ca")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let caCreated = Date() - 3640 * 86_400  // the CA has about ten days left
        let ca = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x", now: caCreated)
        let leaf = try ca.issueLeaf(for: CertificateHost("example.com"), now: Date())
        #expect(leaf.notAfter == ca.certificate.notAfter)
    }

    @Test func issuanceTime() throws {
        try withProxyCA { ca, _ in
            let hosts = try (0..<200).map { try CertificateHost("host\($0).example.com") }
            let clock = ContinuousClock()
            let keyTime = try clock.measure { for _ in hosts { _ = try PrivateKey.generateP256() } }
            let leafTime = try clock.measure { for host in hosts { _ = try ca.issueLeaf(for: host, now: Date()) } }
            func each(_ duration: Duration) -> String {
                let microseconds = Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
                return "\(Int(microseconds / Double(hosts.count))) µs"
            }
            print("leaf issuance: \(each(leafTime)) per leaf, of which EC P-256 key generation \(each(keyTime)) (\(hosts.count) leaves)")
        }
    }
}
