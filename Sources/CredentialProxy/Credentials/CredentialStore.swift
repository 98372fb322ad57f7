import Core
import Store

/// The credentials in the vault: stored sealed, listed without secrets, opened only for the
/// proxy. The sealed rows are read at most once a second (the proxy asks on every request);
/// writes through this store take effect at once, one made by another process (`warden` on
/// the command line) within a second.
public final class CredentialStore: Sendable {
    public let core: WardenCore
    public let vault: Vault
    /// The counters of every proxy route; they share this store, so they share these too.
    public let metrics = ProxyMetrics()
    let rows = SealedRowCache()

    public init(core: WardenCore, vault: Vault) {
        self.core = core
        self.vault = vault
        core.metrics.register { [metrics] in metrics.families }
    }

    /// Creates the credential, or replaces the one with the same name (keeping its id).
    /// Invalid fields are `CoreError.invalid`; the secret is sealed before it reaches the database.
    @discardableResult
    public func put(_ spec: CredentialSpec, secret: Secret, actor: String?) async throws -> Credential {
        try await save(spec, secret: secret, actor: actor, replacing: true)
    }

    /// Creates the credential; `CredentialNameTaken` if one with its name exists. Checked in the
    /// write that creates it, so of two concurrent creates with one name exactly one succeeds
    /// (a check before the write would let the second silently replace the first).
    public func create(_ spec: CredentialSpec, secret: Secret, actor: String?) async throws -> Credential {
        try await save(spec, secret: secret, actor: actor, replacing: false)
    }

    private func save(_ spec: CredentialSpec, secret: Secret, actor: String?, replacing: Bool) async throws -> Credential {
        let spec = try spec.validated()
        if let exchange = spec.exchange { try exchange.validate(secret: secret) } else { try CredentialValidation.secret(secret) }
        let vault = self.vault
        let record = try await core.write { tx in
            let repository = CredentialRepository(tx.db)
            let existing = try repository.find(name: spec.name)
            if existing != nil, !replacing { throw CredentialNameTaken(name: spec.name) }
            let id = existing?.id ?? tx.makeID(.credential)
            let record = CredentialCodec.record(spec, id: id, sealed: try vault.seal(secret, id: id, name: spec.name),
                                          createdAt: existing?.createdAt ?? tx.now)
            if existing == nil { try repository.insert(record) } else { _ = try repository.update(record) }
            try tx.audit(existing == nil ? "credential.created" : "credential.replaced", actor: actor, subject: id,
                         detail: ["name": .string(spec.name), "hosts": .array(spec.hosts.map(JSONValue.string))])
            return record
        }
        rows.invalidate()
        return CredentialCodec.credential(record)
    }

    /// Every credential, oldest first, without secrets.
    public func list() async throws -> [Credential] {
        try await rows.records(core).map(CredentialCodec.credential)
    }

    public func find(name: String) async throws -> Credential? {
        try await core.read { try CredentialRepository($0).find(name: name) }.map(CredentialCodec.credential)
    }

    /// `CoreError.notFound` if there is no credential called `name`; `CoreError.conflict` while a
    /// channel references it.
    public func delete(name: String, actor: String?) async throws {
        try await core.write { tx in
            guard let existing = try CredentialRepository(tx.db).find(name: name) else {
                throw CoreError.notFound(kind: "credential", id: name)
            }
            // A channel verifies its deliveries with it: deleting it would break the channel silently.
            if let channel = try ChannelRepository(tx.db).referencing(credential: existing.id).first {
                throw CoreError.conflict(code: "credential_in_use",
                                         message: "Channel \(channel) uses credential \(existing.id); delete the channel first (DELETE /v1/channels/{id}).")
            }
            _ = try CredentialRepository(tx.db).delete(name: name)
            try tx.audit("credential.deleted", actor: actor, subject: existing.id, detail: ["name": .string(name)])
        }
        rows.invalidate()
    }

    /// The credentials that apply to a request to `host` (no port) for `path`, exact host
    /// patterns before wildcards, longer path prefixes first.
    public func credentials(forHost host: String, path: String = "/") async throws -> [Credential] {
        let host = host.lowercased()
        // An exchanged secret (a client secret, a service account key) must never be injected
        // as is into an agent's request; those credentials serve warden's own calls only.
        return try await list().filter { $0.exchange == nil && $0.applies(toHost: host, path: path) }.sorted { a, b in
            let aExact = a.hosts.contains(host), bExact = b.hosts.contains(host)
            if aExact != bExact { return aExact }
            return (a.pathPrefix?.utf8.count ?? 0) > (b.pathPrefix?.utf8.count ?? 0)
        }
    }

    /// The credential called `name` with its secret, nil if there is none; `VaultError` if it
    /// does not open with this vault's key.
    public func unseal(name: String) async throws -> UnsealedCredential? {
        guard let record = try await rows.records(core).first(where: { $0.name == name }) else { return nil }
        let secret = try vault.open(CredentialCodec.sealed(record), id: record.id, name: record.name)
        return UnsealedCredential(credential: CredentialCodec.credential(record), secret: secret)
    }

    /// The credential with `id`, with its secret (channels name their secrets by id).
    public func unseal(id: String) async throws -> UnsealedCredential? {
        guard let record = try await core.read({ try CredentialRepository($0).find(id: id) }) else { return nil }
        let secret = try vault.open(CredentialCodec.sealed(record), id: record.id, name: record.name)
        return UnsealedCredential(credential: CredentialCodec.credential(record), secret: secret)
    }

    /// Opens every credential once, so a wrong master key stops start-up with a clear error
    /// instead of failing the first request that needs a secret. Returns how many there are.
    @discardableResult
    public func verifyVault() async throws -> Int {
        let records = try await core.read { try CredentialRepository($0).all() }
        for record in records {
            _ = try vault.open(CredentialCodec.sealed(record), id: record.id, name: record.name)
        }
        return records.count
    }
}
