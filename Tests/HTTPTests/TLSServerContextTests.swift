import Testing
@testable import HTTP

@Suite struct TLSServerContextTests {
    @Test func aKeyThatDoesNotMatchTheCertificateIsRejected() throws {
        let authority = TLSTestCertificate.authority()
        let leaf = authority.issue(for: ["host.test"])
        #expect(throws: TLSError.self) {
            try TLSServerContext(certificateChainPEM: leaf.pem, privateKeyPEM: TLSTestKey().pem)
        }
        _ = try TLSServerContext(certificateChainPEM: leaf.pem, privateKeyPEM: leaf.key.pem)
    }

    @Test(arguments: [("", "key"), ("not a certificate", "key"), ("chain", ""), ("chain", "not a key")])
    func unreadablePEMIsAConfigurationError(chain: String, key: String) throws {
        let leaf = TLSTestCertificate.authority().issue(for: ["host.test"])
        let error = #expect(throws: TLSError.self) {
            try TLSServerContext(certificateChainPEM: chain == "chain" ? leaf.pem : chain,
                                 privateKeyPEM: key == "key" ? leaf.key.pem : key)
        }
        #expect(error?.kind == .configuration)
    }

    /// OpenSSL's default for an encrypted key is to ask on the terminal; the context must fail instead.
    @Test func anEncryptedKeyIsRefusedWithoutPrompting() {
        let leaf = TLSTestCertificate.authority().issue(for: ["host.test"])
        let error = #expect(throws: TLSError.self) {
            try TLSServerContext(certificateChainPEM: leaf.pem, privateKeyPEM: leaf.key.pem(passphrase: "secret"))
        }
        #expect(error?.kind == .configuration)
    }
}
