import Core
import Store
import Synchronization

/// The credentials table, sealed as stored, kept for up to `maxAge`. Only ciphertext is kept:
/// a secret is opened when a request needs it, as before.
final class SealedRowCache: Sendable {
    private struct Entry {
        var records: [CredentialRecord]
        var loadedAt: ContinuousClock.Instant
        var generation: Int
    }

    private let maxAge: Duration
    private let state = Mutex<(entry: Entry?, generation: Int)>((nil, 0))

    init(maxAge: Duration = .seconds(1)) { self.maxAge = maxAge }

    func records(_ core: WardenCore) async throws -> [CredentialRecord] {
        let now = ContinuousClock.now
        let (hit, generation) = state.withLock { s -> ([CredentialRecord]?, Int) in
            guard let entry = s.entry, entry.generation == s.generation, now - entry.loadedAt < maxAge else { return (nil, s.generation) }
            return (entry.records, s.generation)
        }
        if let hit { return hit }
        let records = try await core.read { try CredentialRepository($0).all() }
        // A write that landed during the read bumped the generation: do not keep what may predate it.
        state.withLock { s in if s.generation == generation { s.entry = Entry(records: records, loadedAt: now, generation: generation) } }
        return records
    }

    /// After a write through this process: the next read goes to the database.
    func invalidate() {
        state.withLock { $0.generation += 1; $0.entry = nil }
    }
}
