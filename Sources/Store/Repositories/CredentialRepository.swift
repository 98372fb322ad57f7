/// A row of `credentials`. The secret exists here only as AES-256-GCM ciphertext (tag
/// appended) and its nonce; `hosts` stays JSON text, which the credential proxy interprets.
public struct CredentialRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var hosts: String
    public var pathPrefix: String?
    public var injectHeader: String
    public var injectTemplate: String
    public var placeholder: String?
    public var nonce: [UInt8]
    public var ciphertext: [UInt8]
    public var createdAt: String
    /// How the secret is exchanged for a token (`oauth_client_credentials`, …); nil: sent as is.
    public var exchange: String?
    /// The exchange's settings, JSON text the credential proxy interprets.
    public var exchangeSettings: String?

    public init(id: String, name: String, hosts: String, pathPrefix: String?, injectHeader: String,
                injectTemplate: String, placeholder: String?, nonce: [UInt8], ciphertext: [UInt8], createdAt: String,
                exchange: String? = nil, exchangeSettings: String? = nil) {
        self.id = id; self.name = name; self.hosts = hosts; self.pathPrefix = pathPrefix
        self.injectHeader = injectHeader; self.injectTemplate = injectTemplate; self.placeholder = placeholder
        self.nonce = nonce; self.ciphertext = ciphertext; self.createdAt = createdAt
        self.exchange = exchange; self.exchangeSettings = exchangeSettings
    }
}

public struct CredentialRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ c: CredentialRecord) throws {
        try db.execute("""
            INSERT INTO credentials (id, name, hosts, path_prefix, inject_header, inject_template, placeholder,
                                     nonce, ciphertext, created_at, exchange, exchange_settings)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(c.id), .text(c.name), .text(c.hosts), RunRepository.opt(c.pathPrefix), .text(c.injectHeader),
                  .text(c.injectTemplate), RunRepository.opt(c.placeholder), .blob(c.nonce), .blob(c.ciphertext),
                  .text(c.createdAt), RunRepository.opt(c.exchange), RunRepository.opt(c.exchangeSettings)])
    }

    /// Overwrites every column but `id` and `created_at` of the row with `c.id`; false if there is none.
    public func update(_ c: CredentialRecord) throws -> Bool {
        try db.execute("""
            UPDATE credentials SET name = ?, hosts = ?, path_prefix = ?, inject_header = ?, inject_template = ?,
                                   placeholder = ?, nonce = ?, ciphertext = ?, exchange = ?, exchange_settings = ?
            WHERE id = ?
            """, [.text(c.name), .text(c.hosts), RunRepository.opt(c.pathPrefix), .text(c.injectHeader),
                  .text(c.injectTemplate), RunRepository.opt(c.placeholder), .blob(c.nonce), .blob(c.ciphertext),
                  RunRepository.opt(c.exchange), RunRepository.opt(c.exchangeSettings), .text(c.id)]) == 1
    }

    public func find(name: String) throws -> CredentialRecord? {
        try db.queryOne("SELECT * FROM credentials WHERE name = ?", [.text(name)]).map(Self.record)
    }

    public func find(id: String) throws -> CredentialRecord? {
        try db.queryOne("SELECT * FROM credentials WHERE id = ?", [.text(id)]).map(Self.record)
    }

    /// Every credential in creation order; a vault holds a handful, so there is no paging.
    public func all() throws -> [CredentialRecord] {
        try db.query("SELECT * FROM credentials ORDER BY id").map(Self.record)
    }

    public func delete(name: String) throws -> Bool {
        try db.execute("DELETE FROM credentials WHERE name = ?", [.text(name)]) == 1
    }

    static func record(_ r: Row) throws -> CredentialRecord {
        CredentialRecord(id: try r.get("id"), name: try r.get("name"), hosts: try r.get("hosts"),
                         pathPrefix: try r.get("path_prefix"), injectHeader: try r.get("inject_header"),
                         injectTemplate: try r.get("inject_template"), placeholder: try r.get("placeholder"),
                         nonce: try r.get("nonce"), ciphertext: try r.get("ciphertext"), createdAt: try r.get("created_at"),
                         exchange: try r.get("exchange"), exchangeSettings: try r.get("exchange_settings"))
    }
}
