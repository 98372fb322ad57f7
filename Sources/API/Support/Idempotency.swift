import Core
import HTTP
import Store

/// `Idempotency-Key` on POSTs (SPEC §3): the first request's response is stored in the same
/// transaction as the change it made; a replay within 24 h gets it back byte for byte, and the
/// same key with a different request is a conflict. Keys are scoped to the API key that sent them.
enum Idempotency {
    static let window: Int64 = 24 * 3600

    /// `body`'s result is encoded after the commit, off the store's single writer, unless the
    /// response has to be stored with the change.
    static func run<T: JSONWritable & Sendable>(_ request: Request, _ principal: Principal, core: WardenCore,
                                                status: HTTPStatus,
                                                _ body: @escaping @Sendable (Transaction) throws -> T) async throws -> Response {
        try await run(request, principal, core: core, status: status, encode: { $0.jsonBytes }, body)
    }

    static func run(_ request: Request, _ principal: Principal, core: WardenCore, status: HTTPStatus,
                    _ body: @escaping @Sendable (Transaction) throws -> [UInt8]) async throws -> Response {
        try await run(request, principal, core: core, status: status, encode: { $0 }, body)
    }

    private static func run<T: Sendable>(_ request: Request, _ principal: Principal, core: WardenCore, status: HTTPStatus,
                                         encode: @escaping @Sendable (T) -> [UInt8],
                                         _ body: @escaping @Sendable (Transaction) throws -> T) async throws -> Response {
        guard let key = request.headers["Idempotency-Key"] else {
            return .json(encode(try await core.write(body)), status: status)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw APIError.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 255 visible ASCII characters.",
                                   code: "invalid_idempotency_key")
        }
        let hash = Crypto.sha256(Array("\(request.method) \(request.path)\n".utf8) + request.body)
        let owner = principal.keyID
        let outcome = try await core.write { tx -> (Int, [UInt8], Bool) in
            let repo = IdempotencyRepository(tx.db)
            if let stored = try repo.find(owner: owner, key: key, notBefore: Timestamp.unixSeconds() - window) {
                guard stored.requestHash == hash else {
                    throw HTTPError(.conflict, code: "idempotency_key_reused",
                                    message: "This Idempotency-Key was used with a different request; use a new key.",
                                    param: "Idempotency-Key")
                }
                return (stored.status, stored.body, true)
            }
            let bytes = encode(try body(tx))
            try repo.insert(IdempotencyRecord(ownerKeyID: owner, key: key, requestHash: hash, status: status.code,
                                              body: bytes, createdAt: Timestamp.unixSeconds()))
            return (status.code, bytes, false)
        }
        var response = Response.json(outcome.1, status: HTTPStatus(outcome.0))
        if outcome.2 { response.headers.add("Idempotent-Replayed", "true") }
        return response
    }
}
