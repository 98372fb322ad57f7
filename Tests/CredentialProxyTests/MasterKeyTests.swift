import Core
@testable import CredentialProxy
import Foundation
import Testing

@Suite("Vault: master key")
struct MasterKeyTests {
    static let keyBytes: [UInt8] = (0..<32).map { UInt8($0 * 7 + 3) }

    @Test func hexIsAccepted() throws {
        let hex = Crypto.hex(Self.keyBytes)
        #expect(try MasterKey(environmentValue: hex).bytes == Self.keyBytes)
        #expect(try MasterKey(environmentValue: hex.uppercased()).bytes == Self.keyBytes)
        #expect(try MasterKey(environmentValue: " \(hex)\n").bytes == Self.keyBytes, "whitespace from env files is ignored")
    }

    @Test func base64IsAccepted() throws {
        let standard = Data(Self.keyBytes).base64EncodedString()
        #expect(try MasterKey(environmentValue: standard).bytes == Self.keyBytes)
        #expect(try MasterKey(environmentValue: Crypto.base64URL(Self.keyBytes)).bytes == Self.keyBytes,
                "URL-safe, unpadded")
    }

    @Test(arguments: [
        "", "   ", "short", "not base64 at all!!",
        String(repeating: "g", count: 64),                  // 64 characters, not hex, and not 32 bytes of base64
        Data((0..<31).map { UInt8($0) }).base64EncodedString(),  // 31 bytes
        Data((0..<33).map { UInt8($0) }).base64EncodedString(),  // 33 bytes
        String(repeating: "a", count: 62),                  // hex, but 31 bytes
    ])
    func anythingElseIsAClearError(value: String) {
        do {
            _ = try MasterKey(environmentValue: value)
            Issue.record("accepted \(value.debugDescription)")
        } catch {
            guard case .invalidEnvironmentKey = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("WARDEN_MASTER_KEY"))
            #expect(error.description.contains("openssl rand -base64 32"))
        }
    }

    @Test func theEnvironmentKeyWinsOverTheKeyFile() throws {
        let directory = try makeTemporaryDirectory("key")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let vault = try Vault.load(dataDirectory: directory,
                                   environment: ["WARDEN_MASTER_KEY": Crypto.hex(Self.keyBytes)])
        #expect(vault.source == .environment)
        #expect(!FileManager.default.fileExists(atPath: directory + "/master.key"), "no key file when the env sets one")
        let sealed = try vault.seal(Secret("s3cret"), id: "i", name: "n")
        let same = Vault(masterKey: MasterKey(bytes: Self.keyBytes)!)
        #expect(try same.open(sealed, id: "i", name: "n") == Secret("s3cret"))
    }

    @Test func theKeyFileIsCreated0600AndReusedOnRestart() throws {
        let directory = try makeTemporaryDirectory("key")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try Vault.load(dataDirectory: directory, environment: [:])
        let path = directory + "/master.key"
        #expect(first.source == .file(path: path))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 32)

        let sealed = try first.seal(Secret("s3cret"), id: "i", name: "n")
        let restarted = try Vault.load(dataDirectory: directory, environment: [:])
        #expect(try restarted.open(sealed, id: "i", name: "n") == Secret("s3cret"))
    }

    @Test func aKeyFileOthersCanReadIsRefused() throws {
        let directory = try makeTemporaryDirectory("key")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Vault.load(dataDirectory: directory, environment: [:])
        let path = directory + "/master.key"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        do {
            _ = try Vault.load(dataDirectory: directory, environment: [:])
            Issue.record("loaded a world-readable key file")
        } catch {
            #expect(error == .keyFileExposed(path: path, mode: 0o100644))
            #expect(error.description.contains("chmod 600 \(path)"))
        }
        // Fixing the mode is enough: the file was not replaced.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(throws: Never.self) { try Vault.load(dataDirectory: directory, environment: [:]) }
    }

    @Test func aKeyFileOfTheWrongSizeIsRefusedNotReplaced() throws {
        let directory = try makeTemporaryDirectory("key")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/master.key"
        _ = FileManager.default.createFile(atPath: path, contents: Data("not a key\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(throws: VaultError.keyFileWrongSize(path: path, size: 10)) {
            try Vault.load(dataDirectory: directory, environment: [:])
        }
        #expect(FileManager.default.contents(atPath: path) == Data("not a key\n".utf8))
    }

    @Test func aMissingDataDirectoryIsCreatedPrivate() throws {
        let parent = try makeTemporaryDirectory("key")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let directory = parent + "/data"
        _ = try Vault.load(dataDirectory: directory, environment: [:])
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
    }
}
