import Foundation

/// A platform's signing keys, fetched on first use and kept for the key set's `max-age` (or
/// `defaultLifetime`). A token naming a key we do not hold triggers a refetch, since platforms
/// rotate keys, but at most one fetch per `minimumRefetchInterval`: otherwise every forged `kid`
/// would make warden hit the platform's endpoint. When no usable keys can be had, lookups fail
/// closed. Times come from the caller's `now`, like every other verification decision.
public actor JWKSCache {
    private let fetcher: any KeySetFetcher
    private let defaultLifetime: TimeInterval
    private let minimumRefetchInterval: TimeInterval

    private var keys: [String: JSONWebKey] = [:]
    private var expiresAt: Date?
    private var lastAttempt: Date?
    private var lastFailure: String?
    /// The fetch under way, shared by every lookup that arrives while it runs.
    private var pending: (generation: Int, startedAt: Date, task: Task<Outcome, Never>)?
    private var generation = 0

    private enum Outcome: Sendable {
        case fetched(JSONWebKeySet, maxAge: TimeInterval?)
        case failed(String)
    }

    public init(fetcher: any KeySetFetcher, defaultLifetime: TimeInterval = 24 * 3600,
                minimumRefetchInterval: TimeInterval = 60) {
        self.fetcher = fetcher
        self.defaultLifetime = defaultLifetime
        self.minimumRefetchInterval = minimumRefetchInterval
    }

    /// The key called `id`, fetching or refetching the key set when the cache allows it.
    public func key(id: String, now: Date) async throws(VerificationFailure) -> JSONWebKey {
        if isFresh(now), let key = keys[id] { return key }
        // A fetch under way is awaited even when this lookup could not start one itself.
        if pending != nil || mayFetch(now) { await refresh(now: now) }
        if isFresh(now) {
            if let key = keys[id] { return key }
            throw .keyUnknown("the token is signed with key '\(id.prefix(64))', which is not in the platform's key set "
                + "(fetched again at most every \(Int(minimumRefetchInterval)) s"
                + (lastFailure.map { "; the last refetch failed: \($0)" } ?? "") + ")")
        }
        throw .keysUnavailable("the platform's signing keys could not be fetched (\(lastFailure ?? "not fetched yet")); "
            + "the request is refused until they can be")
    }

    private func isFresh(_ now: Date) -> Bool {
        guard let expiresAt else { return false }
        return now < expiresAt
    }

    /// A clock that jumped back counts as time passed, so injected or stepped clocks cannot
    /// lock the cache out of fetching.
    private func mayFetch(_ now: Date) -> Bool {
        guard let lastAttempt else { return true }
        return abs(now.timeIntervalSince(lastAttempt)) >= minimumRefetchInterval
    }

    private func refresh(now: Date) async {
        if pending == nil {
            generation += 1
            lastAttempt = now
            let fetcher = self.fetcher
            pending = (generation, now, Task {
                do throws(KeySetFetchError) {
                    let fetched = try await fetcher.fetchKeySet()
                    guard let set = JSONWebKeySet(parsing: fetched.document) else {
                        return .failed("the key set is not a JWKS document")
                    }
                    guard !set.keys.isEmpty else { return .failed("the key set holds no usable RS256 key") }
                    return .fetched(set, maxAge: fetched.maxAge)
                } catch {
                    return .failed(error.reason)
                }
            })
        }
        guard let (mine, startedAt, task) = pending else { return }
        let outcome = await task.value
        // Whichever waiter resumes first installs the outcome; the others find it done.
        guard pending?.generation == mine else { return }
        pending = nil
        install(outcome, fetchedAt: startedAt)
    }

    private func install(_ outcome: Outcome, fetchedAt: Date) {
        switch outcome {
        case .fetched(let set, let maxAge):
            keys = set.keys
            // Never shorter than the refetch limit: a max-age of 0 must not mean a fetch per request.
            expiresAt = fetchedAt.addingTimeInterval(max(maxAge ?? defaultLifetime, minimumRefetchInterval))
            lastFailure = nil
        case .failed(let reason):
            // Keys still within their lifetime stay usable (a failed refetch for a forged kid must
            // not lock out genuine tokens); expired ones already fail `isFresh`, so this fails closed.
            lastFailure = reason
        }
    }
}
