import Foundation

/// The short-lived tokens of exchanged credentials, minted on demand and kept in memory only
/// (never in the database, never logged) until shortly before they expire. One mint per
/// credential at a time: concurrent callers share it, so a burst of replies costs one request
/// to the token endpoint.
public actor TokenMinter {
    /// A token is used until this long before it expires, so it cannot lapse in flight.
    public static let refreshMargin: TimeInterval = 60

    private struct Cached {
        let token: Secret
        let refreshAt: Date
        /// What it was minted from: a replaced credential (same id) must not use the old token.
        let secret: Secret
        let exchange: CredentialExchange
    }

    private var cache: [String: Cached] = [:]
    private var minting: [String: Task<Cached, any Error>] = [:]
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// The credential's current token, minted through `post` when there is none worth using.
    func token(for credential: UnsealedCredential, exchange: CredentialExchange,
               post: @escaping @Sendable (TokenRequest) async throws(OutboundCallError) -> OutboundReply)
        async throws(OutboundCallError) -> Secret {
        let id = credential.credential.id
        if let cached = cache[id], cached.secret == credential.secret, cached.exchange == exchange, now() < cached.refreshAt {
            return cached.token
        }
        let task: Task<Cached, any Error>
        if let running = minting[id] {
            task = running
        } else {
            let issuedAt = now()
            task = Task {
                let request = try TokenRequest(for: credential, exchange: exchange, now: issuedAt)
                let minted = try MintedToken(try await post(request), credential: credential.credential.name)
                let margin = min(Self.refreshMargin, minted.expiresIn / 2)
                return Cached(token: minted.token, refreshAt: issuedAt.addingTimeInterval(minted.expiresIn - margin),
                              secret: credential.secret, exchange: exchange)
            }
            minting[id] = task
        }
        do {
            let cached = try await task.value
            if minting[id] == task { minting[id] = nil; cache[id] = cached }
            return cached.token
        } catch {
            if minting[id] == task { minting[id] = nil }
            throw error as? OutboundCallError
                ?? .tokenUnavailable(credential: credential.credential.name, reason: "\(error)")
        }
    }

    /// Forgets `token` (the API refused it) so the next call mints a new one; a newer token
    /// another caller already minted is kept.
    func discard(credentialID: String, token: Secret) {
        if cache[credentialID]?.token == token { cache[credentialID] = nil }
    }
}
