import COpenSSL
import Foundation
import Testing
@testable import HTTP

/// Certificates that must not be accepted, and trust settings that must not load.
@Suite struct TLSVerificationTests {
    /// The TLS error a request to `destination` fails with.
    private func tlsFailure(_ f: TLSTestFixture, _ destination: ClientDestination) async -> TLSError? {
        do {
            let response = try await f.client.execute(ClientRequest(target: "/hello"), to: destination)
            Issue.record("expected a TLS failure, got \(response.status)")
        } catch .tls(let error) {
            return error
        } catch {
            Issue.record("expected a TLS failure, got \(error)")
        }
        return nil
    }

    @Test func aCertificateForAnotherNameFailsWithHostnameMismatch() async throws {
        try await withTLSFixture(tlsEchoHandler) { f, server in
            let error = await tlsFailure(f, f.destination(server, name: "api.example.com"))
            #expect(error?.kind == .verification(code: X509_V_ERR_HOSTNAME_MISMATCH))
            #expect(error?.reason.contains("hostname mismatch") == true)
            #expect(error?.reason.contains("api.example.com") == true)
            #expect(error?.reason.contains("DNS:localhost") == true, "names what the certificate is for: \(error?.reason ?? "")")
        }
    }

    @Test func aWrongIPAddressFailsWithIPMismatch() async throws {
        let server: (TLSTestFixture) -> TLSTestCertificate = { $0.authority.issue(for: ["localhost", "10.9.8.7"]) }
        try await withTLSFixture(server: server, tlsEchoHandler) { f, server in
            let error = await tlsFailure(f, f.destination(server, name: "127.0.0.1"))
            #expect(error?.kind == .verification(code: X509_V_ERR_IP_ADDRESS_MISMATCH))
        }
    }

    @Test func aCertificateFromAnUntrustedCAFails() async throws {
        let stranger = TLSTestCertificate.authority(name: "Untrusted Test CA")
        try await withTLSFixture(server: { _ in stranger.issue(for: ["localhost"]) }, tlsEchoHandler) { f, server in
            let error = await tlsFailure(f, f.destination(server))
            #expect(error?.kind == .verification(code: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY))
            #expect(error?.reason.contains("unable to get local issuer certificate") == true)
        }
    }

    @Test func theSystemStoreDoesNotTrustATestCA() async throws {
        let f = try TLSTestFixture(configure: { $0.tls = TLSConfiguration() })
        defer { f.stop() }
        try await withTLSTestServer(certificate: f.serverCertificate, tlsEchoHandler) { server in
            let error = await tlsFailure(f, f.destination(server))
            #expect(error?.kind == .verification(code: X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY))
        }
    }

    @Test func anExpiredCertificateFails() async throws {
        let expired: (TLSTestFixture) -> TLSTestCertificate = { $0.authority.issue(for: ["localhost"], validFrom: -7200, until: -3600) }
        try await withTLSFixture(server: expired, tlsEchoHandler) { f, server in
            let error = await tlsFailure(f, f.destination(server))
            #expect(error?.kind == .verification(code: X509_V_ERR_CERT_HAS_EXPIRED))
            #expect(error?.reason.contains("certificate has expired") == true)
        }
    }

    @Test func aServerLimitedBelowTheMinimumVersionFailsTheHandshake() async throws {
        try await withTLSFixture(maxVersion: TLS1_2_VERSION, configure: { $0.tls.minimumVersion = .v1_3 }, tlsEchoHandler) { f, server in
            let error = await tlsFailure(f, f.destination(server))
            #expect(error?.kind == .handshake)
            #expect(error?.reason.isEmpty == false)
        }
    }

    @Test func aMissingCAFileIsAConfigurationError() async throws {
        let f = try TLSTestFixture(configure: { $0.tls.additionalRoots = [.file("/nonexistent/warden-ca.pem")] })
        defer { f.stop() }
        do {
            try f.client.prepareTLS()
            Issue.record("a missing CA file was accepted")
        } catch .tls(let error) {
            #expect(error.kind == .configuration)
            #expect(error.reason.contains("/nonexistent/warden-ca.pem"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        // A request says the same before dialling (nothing listens on port 9).
        let error = await tlsFailure(f, .tls(.tcp(host: "127.0.0.1", port: 9), serverName: "localhost"))
        #expect(error?.kind == .configuration)
    }

    @Test func pemTextWithoutACertificateIsAConfigurationError() async throws {
        let f = try TLSTestFixture(trust: [.pem("not a certificate")])
        defer { f.stop() }
        do {
            try f.client.prepareTLS()
            Issue.record("garbage PEM was accepted")
        } catch .tls(let error) {
            #expect(error.kind == .configuration)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aServerThatNeverCompletesTheHandshakeTimesOut() async throws {
        let f = try TLSTestFixture(configure: { $0.idleTimeout = .milliseconds(300) })
        defer { f.stop() }
        try await withTLSTestServer(certificate: f.serverCertificate, handshakes: false, tlsEchoHandler) { server in
            await #expect(throws: HTTPClientError.timedOut) {
                try await f.client.execute(ClientRequest(target: "/hello"), to: f.destination(server))
            }
        }
    }
}
