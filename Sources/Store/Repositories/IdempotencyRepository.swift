public struct IdempotencyRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// The stored outcome of an earlier request with this key, if it is younger than `notBefore`.
    public func find(owner: String, key: String, notBefore: Int64) throws -> IdempotencyRecord? {
        try db.queryOne("SELECT * FROM idempotency_keys WHERE owner_key_id = ? AND key = ? AND created_at >= ?",
                        [.text(owner), .text(key), .integer(notBefore)]).map { r in
            IdempotencyRecord(ownerKeyID: try r.get("owner_key_id"), key: try r.get("key"),
                              requestHash: try r.get("request_hash"), status: try r.get("status"), body: try r.get("body"),
                              createdAt: try r.get("created_at"))
        }
    }

    /// Stores an outcome, replacing an expired record with the same key.
    public func insert(_ r: IdempotencyRecord) throws {
        try db.execute("""
            INSERT OR REPLACE INTO idempotency_keys (owner_key_id, key, request_hash, status, body, created_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """, [.text(r.ownerKeyID), .text(r.key), .blob(r.requestHash), .integer(Int64(r.status)), .blob(r.body),
                  .integer(r.createdAt)])
    }

    @discardableResult
    public func deleteOlder(than cutoff: Int64) throws -> Int {
        try db.execute("DELETE FROM idempotency_keys WHERE created_at < ?", [.integer(cutoff)])
    }
}
