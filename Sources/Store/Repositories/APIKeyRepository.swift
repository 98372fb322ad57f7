public struct APIKeyRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ k: APIKeyRecord) throws {
        try db.execute("""
            INSERT INTO api_keys (id, name, role, prefix, hash, created_by, created_at, revoked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(k.id), .text(k.name), .text(k.role), .text(k.prefix), .blob(k.hash),
                  RunRepository.opt(k.createdBy), .text(k.createdAt), RunRepository.opt(k.revokedAt)])
    }

    public func find(_ id: String) throws -> APIKeyRecord? {
        try db.queryOne("SELECT * FROM api_keys WHERE id = ?", [.text(id)]).map(Self.record)
    }

    public func find(hash: [UInt8]) throws -> APIKeyRecord? {
        try db.queryOne("SELECT * FROM api_keys WHERE hash = ?", [.blob(hash)]).map(Self.record)
    }

    public func allActive() throws -> [APIKeyRecord] {
        try db.query("SELECT * FROM api_keys WHERE revoked_at IS NULL").map(Self.record)
    }

    public func list(page: PageRequest) throws -> Page<APIKeyRecord> {
        try Pager.fetch(db, from: "api_keys", where: ["revoked_at IS NULL"], [], page: page, map: Self.record)
    }

    public func revoke(_ id: String, at time: String) throws -> Bool {
        try db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.text(time), .text(id)]) == 1
    }

    static func record(_ r: Row) throws -> APIKeyRecord {
        APIKeyRecord(id: try r.get("id"), name: try r.get("name"), role: try r.get("role"), prefix: try r.get("prefix"),
                     hash: try r.get("hash"), createdBy: try r.get("created_by"), createdAt: try r.get("created_at"),
                     revokedAt: try r.get("revoked_at"))
    }
}
