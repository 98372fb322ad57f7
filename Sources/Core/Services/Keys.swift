import Store
import Synchronization

public enum Role: String, Sendable, CaseIterable, Codable {
    case admin, `operator`, approver, client
}

/// Who is calling: an API key's id and role.
public struct Principal: Sendable, Equatable {
    public var keyID: String
    public var role: Role
    public init(keyID: String, role: Role) { self.keyID = keyID; self.role = role }
}

/// API keys by hash, kept in memory so authenticating a request costs no database read.
/// A miss falls back to the database: `warden keys create` may add a key while the server runs.
public final class KeyRing: Sendable {
    private struct State {
        var byHash: [[UInt8]: Principal] = [:]
        /// Keys revoked while this process runs: a lookup that read the key just before its
        /// revocation committed must not put it back.
        var revoked: Set<String> = []
    }
    private let state = Mutex(State())

    init() {}

    /// `wk_` followed by 32 random bytes, URL-safe base64.
    public static func generateSecret() -> String { "wk_" + Crypto.base64URL(Crypto.randomBytes(32)) }

    static func prefix(of secret: String) -> String { String(secret.prefix(10)) }

    func remember(_ record: APIKeyRecord) {
        guard record.revokedAt == nil, let role = Role(rawValue: record.role) else { return }
        state.withLock { s in
            guard !s.revoked.contains(record.id) else { return }
            s.byHash[record.hash] = Principal(keyID: record.id, role: role)
        }
    }

    func forget(keyID: String) {
        state.withLock { s in
            s.revoked.insert(keyID)
            s.byHash = s.byHash.filter { $0.value.keyID != keyID }
        }
    }

    func cached(_ hash: [UInt8]) -> Principal? { state.withLock { $0.byHash[hash] } }
}

extension Transaction {
    /// Creates a key; the secret is returned once and stored only as a hash.
    public func createKey(role: Role, name: String, createdBy: String?) throws -> (APIKey, secret: String) {
        let secret = KeyRing.generateSecret()
        let record = APIKeyRecord(id: makeID(.key), name: name, role: role.rawValue, prefix: KeyRing.prefix(of: secret),
                                  hash: Crypto.sha256(secret), createdBy: createdBy, createdAt: now)
        try APIKeyRepository(db).insert(record)
        try audit("key.created", actor: createdBy, subject: record.id,
                  detail: ["role": .string(role.rawValue), "name": .string(name)])
        let keys = core.keys
        onCommit { keys.remember(record) }
        return (APIKey(record, key: secret), secret)
    }

    public func revokeKey(_ id: String, by actor: String) throws {
        guard try APIKeyRepository(db).revoke(id, at: now) else { throw CoreError.notFound(kind: "key", id: id) }
        try audit("key.revoked", actor: actor, subject: id)
        let keys = core.keys
        onCommit { keys.forget(keyID: id) }
    }
}

extension WardenCore {
    /// Loads active keys into memory and, if `bootstrapSecret` is set (WARDEN_ADMIN_KEY), makes
    /// sure an admin key with that secret exists.
    public func loadKeys(bootstrapSecret: String?) async throws {
        if let secret = bootstrapSecret {
            guard secret.utf8.count >= 20 else {
                throw CoreError.invalid(param: "WARDEN_ADMIN_KEY", code: "weak_key",
                                        message: "WARDEN_ADMIN_KEY must be at least 20 characters; generate one with `warden keys create --role admin`.")
            }
            let hash = Crypto.sha256(secret)
            try await write { tx in
                let repo = APIKeyRepository(tx.db)
                if let existing = try repo.find(hash: hash) {
                    guard existing.revokedAt == nil else {
                        throw CoreError.conflict(code: "admin_key_revoked",
                            message: "WARDEN_ADMIN_KEY matches key \(existing.id), which was revoked; set a new secret.")
                    }
                    return
                }
                let record = APIKeyRecord(id: tx.makeID(.key), name: "WARDEN_ADMIN_KEY", role: Role.admin.rawValue,
                                          prefix: KeyRing.prefix(of: secret), hash: hash, createdBy: "environment",
                                          createdAt: tx.now)
                try repo.insert(record)
                try tx.audit("key.created", actor: "environment", subject: record.id, detail: ["role": .string("admin")])
            }
        }
        for record in try await read({ try APIKeyRepository($0).allActive() }) { keys.remember(record) }
    }

    @available(*, noasync)
    public func createKeySync(role: Role, name: String, createdBy: String?) throws -> (APIKey, String) {
        try writeSync { tx in try tx.createKey(role: role, name: name, createdBy: createdBy) }
    }

    /// The principal for a bearer secret, or nil if no active key has it.
    public func authenticate(secret: String) async throws -> Principal? {
        let hash = Crypto.sha256(secret)
        if let principal = keys.cached(hash) { return principal }
        guard let record = try await read({ try APIKeyRepository($0).find(hash: hash) }), record.revokedAt == nil else {
            return nil
        }
        keys.remember(record)
        return keys.cached(hash)
    }

    public func listKeys(_ page: PageRequest) async throws -> Page<APIKey> {
        try await read { try APIKeyRepository($0).list(page: page) }.map { APIKey($0) }
    }

    /// An active key by id (never with its secret).
    public func key(_ id: String) async throws -> APIKey? {
        try await read { try APIKeyRepository($0).find(id) }.flatMap { $0.revokedAt == nil ? APIKey($0) : nil }
    }
}
