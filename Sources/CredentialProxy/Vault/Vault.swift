import Core
import Glibc

/// A secret as the database stores it: a random nonce and the AES-256-GCM ciphertext with its
/// tag appended.
public struct SealedSecret: Sendable, Equatable {
    public let nonce: [UInt8]
    public let ciphertext: [UInt8]
    public init(nonce: [UInt8], ciphertext: [UInt8]) { self.nonce = nonce; self.ciphertext = ciphertext }
}

/// Seals and opens credential secrets with the master key. Each secret gets its own random
/// nonce, and the credential's id and name are authenticated with it, so a ciphertext copied
/// onto another row (to have warden inject it somewhere else) fails to open.
public struct Vault: Sendable, CustomStringConvertible, CustomReflectable {
    public static let environmentVariable = "WARDEN_MASTER_KEY"

    /// Where the key came from, for error messages.
    public let source: MasterKeySource
    private let key: MasterKey

    public init(masterKey: MasterKey, source: MasterKeySource = .provided) {
        self.key = masterKey
        self.source = source
    }

    /// The key from `WARDEN_MASTER_KEY` when it is set, otherwise from `<dataDirectory>/master.key`,
    /// which is created (0600) on first start.
    public static func load(dataDirectory: String, environment: [String: String]) throws(VaultError) -> Vault {
        if let value = environment[environmentVariable] {
            return Vault(masterKey: try MasterKey(environmentValue: value), source: .environment)
        }
        // 0700 like the CLI makes it: the directory holds the key.
        if mkdir(dataDirectory, 0o700) != 0 && errno != EEXIST {
            throw .dataDirectoryUnusable(path: dataDirectory, errno: errno)
        }
        let path = MasterKeyFile.path(in: dataDirectory)
        return Vault(masterKey: try MasterKeyFile.loadOrCreate(at: path), source: .file(path: path))
    }

    public func seal(_ secret: Secret, id: String, name: String) throws(VaultError) -> SealedSecret {
        let nonce = Crypto.randomBytes(AESGCM.nonceSize)
        let ciphertext = try AESGCM.seal(secret.bytes, key: key.bytes, nonce: nonce,
                                         aad: Self.associatedData(id: id, name: name))
        return SealedSecret(nonce: nonce, ciphertext: ciphertext)
    }

    /// The secret, or `masterKeyMismatch` when the tag does not verify. Never returns bytes
    /// that failed authentication.
    public func open(_ sealed: SealedSecret, id: String, name: String) throws(VaultError) -> Secret {
        guard sealed.nonce.count == AESGCM.nonceSize, sealed.ciphertext.count >= AESGCM.tagSize else {
            throw .malformedCiphertext(credential: name)
        }
        guard let plaintext = try AESGCM.open(sealed.ciphertext, key: key.bytes, nonce: sealed.nonce,
                                              aad: Self.associatedData(id: id, name: name)) else {
            throw .masterKeyMismatch(credential: name, source: source)
        }
        return Secret(plaintext)
    }

    /// Length-prefixed fields, so ("ab", "c") and ("a", "bc") authenticate differently.
    static func associatedData(id: String, name: String) -> [UInt8] {
        var out = Array("warden-credential-v1".utf8)
        for field in [id, name] {
            let bytes = Array(field.utf8)
            let count = UInt32(bytes.count)
            out.append(contentsOf: [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)])
            out.append(contentsOf: bytes)
        }
        return out
    }

    public var description: String { "Vault(key from \(source))" }
    public var customMirror: Mirror { Mirror(self, children: ["source": source], displayStyle: .struct) }
}
