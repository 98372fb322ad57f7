import Core
import Foundation
import HTTP

/// A secret shown once, in the response that created it (API keys, webhook signing secrets).
/// The change and its idempotency record store the response without it; the secret is added
/// to the first response only, so a replay returns the object without its secret field.
enum OneTimeSecret {
    /// Runs `body` like `Idempotency.run`; `body` returns the secret-free JSON and the secret,
    /// which the response then carries as `field`.
    static func created(_ request: Request, _ principal: Principal, core: WardenCore, field: String,
                        _ body: @escaping @Sendable (Transaction) throws -> (json: [UInt8], secret: String)) async throws -> Response {
        let holder = SecretHolder()
        var response = try await Idempotency.run(request, principal, core: core, status: .created) { tx in
            let (json, secret) = try body(tx)
            holder.set(secret)
            return json
        }
        if let secret = holder.value, response.headers["Idempotent-Replayed"] == nil, case .bytes(let bytes) = response.body {
            response.body = .bytes(insert(secret, as: field, into: bytes))
        }
        return response
    }

    /// Adds `"field": secret` to a JSON object.
    static func insert(_ secret: String, as field: String, into bytes: [UInt8]) -> [UInt8] {
        guard bytes.last == UInt8(ascii: "}") else { return bytes }
        let member = ",\(JSONValue.string(field).encodedText):\(JSONValue.string(secret).encodedText)}"
        return Array(bytes.dropLast()) + Array(member.utf8)
    }
}

/// Carries the one-time secret out of the transaction closure.
private final class SecretHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var secret: String?
    func set(_ s: String) { lock.withLock { secret = s } }
    var value: String? { lock.withLock { secret } }
}
