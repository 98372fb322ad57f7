import Core
@testable import CredentialProxy
import Foundation
import Testing

@Suite("Vault: sealing")
struct VaultTests {
    let secret = Secret("sk-ant-api03-very-secret-value")

    @Test func sealThenOpenReturnsTheSecret() throws {
        let vault = Vault(masterKey: .random())
        let sealed = try vault.seal(secret, id: "crd_1", name: "github")
        #expect(sealed.nonce.count == 12)
        #expect(sealed.ciphertext.count == secret.bytes.count + 16, "ciphertext then a 16-byte tag")
        #expect(!sealed.ciphertext.containsBytes(secret.bytes))
        #expect(try vault.open(sealed, id: "crd_1", name: "github") == secret)
    }

    @Test func eachSealUsesAFreshNonce() throws {
        let vault = Vault(masterKey: .random())
        let a = try vault.seal(secret, id: "crd_1", name: "github")
        let b = try vault.seal(secret, id: "crd_1", name: "github")
        #expect(a.nonce != b.nonce)
        #expect(a.ciphertext != b.ciphertext)
    }

    @Test(arguments: [0, 5, 29, 30, 45])
    func flippingAnyBitFailsToOpen(byte: Int) throws {
        let vault = Vault(masterKey: .random())
        let sealed = try vault.seal(secret, id: "crd_1", name: "github")
        var ciphertext = sealed.ciphertext
        ciphertext[byte] ^= 0x01  // in the ciphertext for small indices, in the tag for the last ones
        #expect(throws: VaultError.masterKeyMismatch(credential: "github", source: .provided)) {
            try vault.open(SealedSecret(nonce: sealed.nonce, ciphertext: ciphertext), id: "crd_1", name: "github")
        }
        var nonce = sealed.nonce
        nonce[byte % 12] ^= 0x80
        #expect(throws: VaultError.self) {
            try vault.open(SealedSecret(nonce: nonce, ciphertext: sealed.ciphertext), id: "crd_1", name: "github")
        }
    }

    @Test func aWrongMasterKeyIsTheTypedMismatchError() throws {
        let sealed = try Vault(masterKey: .random()).seal(secret, id: "crd_1", name: "github")
        let other = Vault(masterKey: .random(), source: .environment)
        do {
            _ = try other.open(sealed, id: "crd_1", name: "github")
            Issue.record("opened with the wrong key")
        } catch {
            #expect(error == .masterKeyMismatch(credential: "github", source: .environment))
            #expect(error.description.contains("master key does not match the vault"))
            #expect(error.description.contains("WARDEN_MASTER_KEY"))
        }
    }

    @Test func aCiphertextMovedToAnotherIdOrNameFailsToOpen() throws {
        let vault = Vault(masterKey: .random())
        let sealed = try vault.seal(secret, id: "crd_1", name: "github")
        #expect(throws: VaultError.self) { try vault.open(sealed, id: "crd_2", name: "github") }
        #expect(throws: VaultError.self) { try vault.open(sealed, id: "crd_1", name: "slack") }
        // Length-prefixed AAD: moving characters between the fields changes it too.
        let split = try vault.seal(secret, id: "ab", name: "c")
        #expect(throws: VaultError.self) { try vault.open(split, id: "a", name: "bc") }
    }

    @Test func truncatedCiphertextIsMalformedNotACrash() throws {
        let vault = Vault(masterKey: .random())
        #expect(throws: VaultError.malformedCiphertext(credential: "x")) {
            try vault.open(SealedSecret(nonce: [UInt8](repeating: 0, count: 12), ciphertext: [1, 2, 3]), id: "i", name: "x")
        }
        #expect(throws: VaultError.malformedCiphertext(credential: "x")) {
            try vault.open(SealedSecret(nonce: [1], ciphertext: [UInt8](repeating: 0, count: 32)), id: "i", name: "x")
        }
    }

    @Test func nothingHoldingASecretPrintsIt() throws {
        let key = MasterKey.random()
        let value = "sk-live-PRINTME-0123456789"
        let credential = Credential(id: "crd_1", name: "n", hosts: ["a.example"], pathPrefix: nil,
                                    inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                                    placeholder: nil, createdAt: "t")
        let unsealed = UnsealedCredential(credential: credential, secret: Secret(value))
        let keyHex = Crypto.hex(key.bytes)
        var dumped = ""
        dump(unsealed, to: &dumped)
        dump(key, to: &dumped)
        dump(Vault(masterKey: key), to: &dumped)
        let printed = [
            "\(Secret(value))", String(reflecting: Secret(value)), "\(unsealed)", String(reflecting: unsealed),
            "\(unsealed.headerValue)", "\(key)", String(reflecting: key), "\(Vault(masterKey: key))", dumped,
        ].joined(separator: "\n")
        #expect(!printed.contains(value))
        #expect(!printed.contains("PRINTME"))
        #expect(!printed.contains(keyHex))
        #expect(printed.contains("<redacted>"))
    }
}
