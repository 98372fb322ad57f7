import Foundation

/// One RSA signing key from a JWKS, ready to verify RS256 signatures.
public struct JSONWebKey: Sendable {
    public let id: String
    /// Bot Framework's extension: the channels (`msteams`, `skype`, …) this key may sign for.
    /// nil when the key set does not say (Google's keys).
    public let endorsements: [String]?
    let publicKey: RSAPublicKey
}

/// A JWKS document (RFC 7517 §5). Keys this code cannot use (not RSA, not for signatures, made
/// for another algorithm, too short, without a kid) are left out rather than failing the whole
/// set, so one new key type on the platform's side does not stop every delivery.
struct JSONWebKeySet: Sendable {
    let keys: [String: JSONWebKey]

    private struct Document: Decodable {
        let keys: [Entry]
    }

    private struct Entry: Decodable {
        let kty: String?
        let kid: String?
        let use: String?
        let alg: String?
        let n: String?
        let e: String?
        let endorsements: [String]?
    }

    init?(parsing bytes: [UInt8]) {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(bytes)) else { return nil }
        var keys: [String: JSONWebKey] = [:]
        for entry in document.keys {
            guard entry.kty == "RSA", entry.use == nil || entry.use == "sig", entry.alg == nil || entry.alg == "RS256",
                  let id = entry.kid, let n = entry.n.flatMap({ Base64URL.decode($0) }), let e = entry.e.flatMap({ Base64URL.decode($0) }),
                  let publicKey = RSAPublicKey(modulus: n, exponent: e) else { continue }
            keys[id] = JSONWebKey(id: id, endorsements: entry.endorsements, publicKey: publicKey)
        }
        self.keys = keys
    }
}
