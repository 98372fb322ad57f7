import Core
import CredentialProxy
import Foundation
import HTTP
import Store

/// `Idempotency-Key` for `POST /v1/credentials`, which `Idempotency.run` cannot serve: that
/// stores the response in the transaction of the change, but `CredentialStore.put` commits its
/// own; and it fingerprints the raw body, whose hash would let anyone holding the database test
/// guesses of the secret.
///
/// Here the fingerprint covers every field but the secret, and a replay is given only when the
/// stored credential still opens to the very secret sent, checked against the vault; so the
/// same key with a different secret is still a conflict. The record is written after the
/// credential: a crash between the two makes a retry a 409 `credential_exists`, never a second
/// credential.
struct CredentialIdempotency {
    let key: String
    let owner: String
    let fingerprint: [UInt8]

    /// Nil when the request has no `Idempotency-Key`.
    init?(_ request: Request, _ principal: Principal, body: CreateCredentialBody) throws {
        guard let key = request.headers["Idempotency-Key"] else { return nil }
        // The same rule as `Idempotency.run`.
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw APIError.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 255 visible ASCII characters.",
                                   code: "invalid_idempotency_key")
        }
        self.key = key
        owner = principal.keyID
        fingerprint = Crypto.sha256(Array("\(request.method) \(request.path)\n".utf8) + Self.secretFreeJSON(body))
    }

    /// The stored response if this request was made before with the same key; nil if it was not.
    func replay(secret: Secret, core: WardenCore, store: CredentialStore) async throws -> Response? {
        let (key, owner) = (self.key, self.owner)
        let notBefore = Timestamp.unixSeconds() - Idempotency.window
        guard let stored = try await core.read({ try IdempotencyRepository($0).find(owner: owner, key: key, notBefore: notBefore) })
        else { return nil }
        guard stored.requestHash == fingerprint, try await Self.sameSecret(secret, storedResponse: stored.body, store: store) else {
            throw HTTPError(.conflict, code: "idempotency_key_reused",
                            message: "This Idempotency-Key was used with a different request (or for a credential since deleted or replaced); use a new key.",
                            param: "Idempotency-Key")
        }
        var response = Response.json(stored.body, status: HTTPStatus(stored.status))
        response.headers.add("Idempotent-Replayed", "true")
        return response
    }

    func remember(_ body: [UInt8], status: HTTPStatus, core: WardenCore) async throws {
        let record = IdempotencyRecord(ownerKeyID: owner, key: key, requestHash: fingerprint, status: status.code,
                                       body: body, createdAt: Timestamp.unixSeconds())
        try await core.write { tx in try IdempotencyRepository(tx.db).insert(record) }
    }

    /// Whether the credential in the stored response still exists, with the same id, and opens to `secret`.
    private static func sameSecret(_ secret: Secret, storedResponse: [UInt8], store: CredentialStore) async throws -> Bool {
        struct Stored: Decodable { var id: String; var name: String }
        guard let stored = try? JSONDecoder().decode(Stored.self, from: Data(storedResponse)),
              let current = try await store.unseal(name: stored.name) else { return false }
        return current.credential.id == stored.id && current.secret == secret
    }

    /// The request's fields without the secret, in a fixed order.
    private static func sortedJSON(_ settings: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(settings)) ?? Data("{}".utf8), as: UTF8.self)
    }

    private static func secretFreeJSON(_ body: CreateCredentialBody) -> [UInt8] {
        var w = JSONWriter()
        w.objectStart()
        // Only when present, so a request without them hashes as it did before they existed.
        if let exchange = body.exchange { w.key("exchange", exchange) }
        if let settings = body.exchange_settings { w.key("exchange_settings", raw: Self.sortedJSON(settings)) }
        w.key("hosts", body.hosts)
        w.key("inject"); w.objectStart(); w.key("header", body.inject.header); w.key("template", body.inject.template); w.objectEnd()
        w.key("name", body.name); w.key("path_prefix", body.path_prefix); w.key("placeholder", body.placeholder)
        w.objectEnd()
        return w.bytes
    }
}
