import COpenSSL
@testable import CredentialProxy
import Foundation
import Testing

@Suite("Proxy CA: creation and loading")
struct CertificateAuthorityTests {
    @Test func firstStartCreatesAPrivateKeyAndAPublicCertificateThatTheNextStartLoads() throws {
        let directory = try makeTemporaryDirectory("ca")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "0f3a9c27d1e84b6c9a0b1c2d3e4f5a6b")
        #expect(first.isNew)
        #expect(first.keyPath == directory + "/proxy-ca/ca.key")
        #expect(first.certificatePath == directory + "/proxy-ca/ca.crt")
        #expect(try permissions(of: first.keyPath) == 0o600)
        #expect(try permissions(of: first.certificatePath) == 0o644, "containers' user must read the mounted ca.crt")
        #expect(try permissions(of: directory + "/proxy-ca") == 0o700)
        #expect(try String(contentsOfFile: first.certificatePath, encoding: .utf8) == first.certificatePEM)
        #expect(try String(contentsOfFile: first.keyPath, encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))

        let second = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "0f3a9c27d1e84b6c9a0b1c2d3e4f5a6b")
        #expect(!second.isNew)
        #expect(second.certificatePEM == first.certificatePEM)
        #expect(second.key.isSameKey(as: first.key))
        #expect(second.keyIdentifier == first.keyIdentifier)
    }

    @Test func theCertificateIsAPathLengthZeroCAForTenYears() throws {
        let now = Date()
        try withProxyCA(instanceID: "0f3a9c27d1e84b6c9a0b1c2d3e4f5a6b") { ca, _ in
            let certificate = ca.certificate
            #expect(abs(certificate.notAfter.timeIntervalSince(now) - 3650 * 86_400) < 60)
            #expect(certificate.notBefore < now)
            #expect(X509_get_version(certificate.x509) == 2, "v3")
            let constraints = try #require(extensionValue(certificate, NID_basic_constraints))
            #expect(constraints.critical && constraints.value == [0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00])
            let usage = try #require(extensionValue(certificate, NID_key_usage))
            #expect(usage.critical && usage.value == [0x03, 0x02, 0x01, 0x06], "keyCertSign, cRLSign")
            let identifier = try #require(extensionValue(certificate, NID_subject_key_identifier))
            #expect(identifier.value == [0x04, 0x14] + ca.keyIdentifier)
            #expect(ca.keyIdentifier == (try Certificate.publicKeyIdentifier(of: certificate.x509)),
                    "the key's SHA-1 as X509_pubkey_digest computes it")

            var name = [CChar](repeating: 0, count: 256)
            X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.x509), NID_commonName, &name, Int32(name.count))
            #expect(name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } == "Warden proxy CA 0f3a9c27")
            #expect(EVP_PKEY_get_base_id(ca.key.evpPKey) == EVP_PKEY_EC)
            #expect(verificationFailure(of: certificate, host: "Warden proxy CA 0f3a9c27", authority: certificate) != nil,
                    "a CA certificate is not a server certificate")
        }
    }

    @Test func twoCAsHaveDifferentKeysAndRandomSerials() throws {
        try withProxyCA { a, _ in
            try withProxyCA { b, _ in
                #expect(!a.key.isSameKey(as: b.key))
                #expect(serial(of: a.certificate).count == 16, "128 bits")
                #expect(serial(of: a.certificate)[0] & 0x80 == 0, "positive")
                #expect(serial(of: a.certificate) != serial(of: b.certificate))
            }
        }
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        try withProxyCA { ca, directory in
            chmod(ca.keyPath, 0o644)
            #expect(throws: CertificateError.keyFileExposed(path: ca.keyPath, mode: 0o100644)) {
                try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            }
            chmod(ca.keyPath, 0o640)
            do {
                _ = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
                Issue.record("loaded a group-readable key")
            } catch let error as CertificateError {
                #expect(error.description.contains("chmod 600 \(ca.keyPath)"))
            }
            chmod(ca.keyPath, 0o600)
            #expect(try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x").certificatePEM == ca.certificatePEM,
                    "fixing the mode is enough: nothing was replaced")
        }
    }

    @Test func aCertificateFromAnotherKeyIsRefused() throws {
        try withProxyCA { ca, directory in
            try withProxyCA { other, _ in
                try FileManager.default.removeItem(atPath: ca.certificatePath)
                try other.certificatePEM.write(toFile: ca.certificatePath, atomically: false, encoding: .utf8)
                do {
                    _ = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
                    Issue.record("loaded a certificate for another key")
                } catch let error as CertificateError {
                    #expect(error == .certificateKeyMismatch(certificatePath: ca.certificatePath, keyPath: ca.keyPath))
                    #expect(error.description.contains("delete \(ca.certificatePath)"))
                }
            }
        }
    }

    @Test func aMissingCertificateIsIssuedAgainForTheSameKey() throws {
        try withProxyCA { ca, directory in
            try FileManager.default.removeItem(atPath: ca.certificatePath)
            let again = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            #expect(again.isNew)
            #expect(again.key.isSameKey(as: ca.key))
            #expect(again.certificatePEM != ca.certificatePEM)
            #expect(try permissions(of: again.certificatePath) == 0o644)
        }
    }

    @Test func aCertificateWithoutItsKeyIsRefusedNotReplaced() throws {
        try withProxyCA { ca, directory in
            try FileManager.default.removeItem(atPath: ca.keyPath)
            #expect(throws: CertificateError.certificateWithoutKey(certificatePath: ca.certificatePath, keyPath: ca.keyPath)) {
                try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            }
            #expect(try String(contentsOfFile: ca.certificatePath, encoding: .utf8) == ca.certificatePEM)
            #expect(!FileManager.default.fileExists(atPath: ca.keyPath))
        }
    }

    @Test func garbageFilesAreRefusedWithWhatToDo() throws {
        try withProxyCA { ca, directory in
            let original = try String(contentsOfFile: ca.certificatePath, encoding: .utf8)
            try FileManager.default.removeItem(atPath: ca.certificatePath)
            try "not a certificate\n".write(toFile: ca.certificatePath, atomically: false, encoding: .utf8)
            #expect(throws: CertificateError.unreadableCertificate(path: ca.certificatePath, reason: "it holds no PEM certificate")) {
                try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            }
            try FileManager.default.removeItem(atPath: ca.certificatePath)
            try original.write(toFile: ca.certificatePath, atomically: false, encoding: .utf8)

            try FileManager.default.removeItem(atPath: ca.keyPath)
            #expect(FileManager.default.createFile(atPath: ca.keyPath, contents: Data("-----BEGIN PRIVATE KEY-----\nAAAA\n".utf8),
                                                   attributes: [.posixPermissions: 0o600]))
            do {
                _ = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
                Issue.record("loaded a broken key")
            } catch let error as CertificateError {
                guard case .unreadableKey(let path, _) = error else { Issue.record("unexpected \(error)"); return }
                #expect(path == ca.keyPath)
            }
        }
    }

    @Test func anEncryptedKeyIsRefusedWithoutAskingForAPassphrase() throws {
        try withProxyCA { ca, directory in
            var pem = try ca.key.pkcs8PEM()
            defer { for i in pem.indices { pem[i] = 0 } }
            let encrypted = try MemoryBIO.writing("encrypt") { bio in
                PEM_write_bio_PKCS8PrivateKey(bio, ca.key.evpPKey, EVP_aes_256_cbc(), nil, 0, nil,
                                              UnsafeMutableRawPointer(mutating: ("passphrase" as StaticString).utf8Start)) == 1
            }
            try FileManager.default.removeItem(atPath: ca.keyPath)
            #expect(FileManager.default.createFile(atPath: ca.keyPath, contents: Data(encrypted), attributes: [.posixPermissions: 0o600]))
            #expect(throws: CertificateError.unreadableKey(path: ca.keyPath, reason: "it is not an unencrypted PEM private key")) {
                try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            }
        }
    }

    @Test func anExpiredCertificateIsRefused() throws {
        let directory = try makeTemporaryDirectory("ca")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let elevenYearsAgo = Date() - 11 * 365 * 86_400
        let old = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x", now: elevenYearsAgo)
        do {
            _ = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            Issue.record("loaded an expired CA")
        } catch {
            guard case .authorityExpired(let path, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(path == old.certificatePath)
        }
    }

    @Test func aSymlinkedKeyIsRefused() throws {
        try withProxyCA { ca, directory in
            let elsewhere = directory + "/elsewhere.key"
            try FileManager.default.moveItem(atPath: ca.keyPath, toPath: elsewhere)
            try FileManager.default.createSymbolicLink(atPath: ca.keyPath, withDestinationPath: elsewhere)
            #expect(throws: CertificateError.notRegularFile(path: ca.keyPath)) {
                try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            }
        }
    }

    @Test func aCertificateMadeUnreadableIsMadeReadableAgain() throws {
        try withProxyCA { ca, directory in
            chmod(ca.certificatePath, 0o600)
            _ = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
            #expect(try permissions(of: ca.certificatePath) == 0o644)
        }
    }

    @Test func theKeyIsInNoDescription() throws {
        try withProxyCA { ca, _ in
            let pem = String(decoding: try ca.key.pkcs8PEM(), as: UTF8.self)
            let body = pem.split(separator: "\n").dropFirst().first.map(String.init) ?? pem
            let leaf = try ca.issueLeaf(for: CertificateHost("example.com"), now: Date())
            var dumped = ""
            dump(leaf, to: &dumped)
            dump(ca, to: &dumped)
            let leafBody = String(decoding: try leaf.privateKey.pkcs8PEM(), as: UTF8.self).split(separator: "\n")[1]
            for text in ["\(ca)", String(reflecting: ca), "\(ca.key)", String(reflecting: ca.key), "\(leaf)",
                         String(reflecting: leaf), "\(leaf.privateKey)", dumped] {
                #expect(!text.contains(body) && !text.contains(leafBody), "\(text)")
            }
            #expect("\(ca.key)" == "PrivateKey(EC, <redacted>)")
        }
    }
}
