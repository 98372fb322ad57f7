import Core
@testable import CredentialProxy
import Foundation
import Logging
import Store
import Synchronization

/// A fresh directory under the system temp dir, removed by the caller.
func makeTemporaryDirectory(_ label: String = "vault") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("warden-\(label)-\(UUID().uuidString.prefix(12))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// A core over a real SQLite file in a temporary data directory, a vault with a random key and
/// a credential store on both; everything is closed and deleted afterwards.
struct VaultHarness: Sendable {
    let directory: String
    let database: Database
    let core: WardenCore
    let store: CredentialStore
    var vault: Vault { store.vault }
    var databasePath: String { directory + "/warden.db" }

    static func with<R>(vault: Vault = Vault(masterKey: .random()), _ body: (VaultHarness) async throws -> R) async throws -> R {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try Database(path: directory + "/warden.db", configuration: Database.Configuration(logger: quietLogger),
                                    migrations: WardenSchema.migrations)
        let core = WardenCore(database: database, logger: quietLogger)
        let harness = VaultHarness(directory: directory, database: database, core: core,
                                   store: CredentialStore(core: core, vault: vault))
        do {
            let result = try await body(harness)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

    /// The audit rows of `kind`, oldest first.
    func audit(kind: String, session: String? = nil) async throws -> [AuditRecord] {
        try await core.read { db in
            try AuditRepository(db).list(session: session, kind: kind, page: PageRequest(limit: 100, descending: false)).items
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in these bytes.
    func containsBytes(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}

/// Awaits `operation` for at most `seconds` so a broken stream fails the test instead of hanging
/// it. A safety net only: no test asserts how long anything took.
func bounded<T: Sendable>(_ seconds: Int = 30, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw TimedOut()
        }
        group.cancelAll()
        return value
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String { "the operation did not finish; a stream that should have flowed was held back" }
}

/// A one-shot signal between a test and a server handler: `wait` returns once `open` was called.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
