import Foundation

/// What Bot Framework and Google Chat share: `Authorization: Bearer <JWT>`, RS256 only, the key
/// chosen by `kid` from the platform's key set, then issuer, audience and lifetime. The claims
/// are read only once the signature holds.
struct BearerTokenValidation: Sendable {
    static let authorizationHeader = "Authorization"

    let keys: JWKSCache
    let issuers: [String]
    let audience: String
    /// Allowed drift between the platform's clock and ours on `exp` and `nbf`.
    let clockSkew: TimeInterval
    /// Named in messages, e.g. "Bot Framework".
    let platform: String

    struct Verified: Sendable {
        let claims: JWTClaims
        let key: JSONWebKey
    }

    func validate(_ delivery: InboundDelivery, now: Date) async throws(VerificationFailure) -> Verified {
        let header = Self.authorizationHeader
        let value = try delivery.requiredHeader(header)
        guard value.count > 7, value.prefix(7).lowercased() == "bearer " else {
            throw .headerMalformed(header: header, reason: "it must be 'Bearer <JWT>'")
        }
        let token = try JSONWebToken(compact: value.dropFirst(7).drop(while: { $0 == " " }), header: header)
        // The algorithm is fixed here, never taken from the token: "none" or HS256 (with the
        // public key as an HMAC secret) would otherwise let anyone mint tokens.
        guard token.header.alg == "RS256" else {
            throw .signatureInvalid("the token is signed with '\(token.header.alg.prefix(16))'; \(platform) tokens must be RS256")
        }
        guard let keyID = token.header.kid else {
            throw .keyUnknown("the token names no signing key (kid)")
        }
        let key = try await keys.key(id: keyID, now: now)
        guard key.publicKey.isValidRS256Signature(token.signature, for: token.signingInput) else {
            throw .signatureInvalid("the token's signature does not verify under \(platform)'s key '\(key.id)'")
        }
        guard let claims = try? JSONDecoder().decode(JWTClaims.self, from: Data(token.payload)) else {
            throw .claimRejected("the token's claims are not a JSON object with numeric exp and nbf")
        }
        try checkLifetime(claims, now: now)
        guard let issuer = claims.issuer, issuers.contains(issuer) else {
            throw .claimRejected("the token was not issued by \(issuers.joined(separator: " or "))")
        }
        guard claims.audiences.contains(audience) else {
            throw .claimRejected("the token is for another audience, not '\(audience)' as configured for this channel")
        }
        return Verified(claims: claims, key: key)
    }

    private func checkLifetime(_ claims: JWTClaims, now: Date) throws(VerificationFailure) {
        guard let expiresAt = claims.expiresAt else {
            throw .claimRejected("the token has no expiry (exp)")
        }
        if now.timeIntervalSince(expiresAt) > clockSkew {
            throw .timestampStale("the token expired \(Int(now.timeIntervalSince(expiresAt))) s ago "
                + "(\(Int(clockSkew)) s of clock skew allowed)")
        }
        if let notBefore = claims.notBefore, notBefore.timeIntervalSince(now) > clockSkew {
            throw .timestampStale("the token is not valid for another \(Int(notBefore.timeIntervalSince(now))) s "
                + "(\(Int(clockSkew)) s of clock skew allowed)")
        }
    }
}
