import Foundation
import Testing
@testable import Store
import TestSupport

/// The store's threads name themselves, so `top -H`, `perf` and the benchmark's CPU lines can
/// tell them apart. Linux keeps a name only if it fits in 15 bytes; a longer one is refused
/// and the thread keeps the name of the thread that started it.
@Suite struct ThreadNameTests {
    static func threadNames() -> Set<String> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return Set(tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
    }

    @Test func everyStoreThreadCarriesItsName() async throws {
        try await withDatabase(configuration: Database.Configuration(synchronous: .full, readerCount: 1)) { database, _ in
            _ = try await database.write { db in try db.execute("INSERT INTO items (n) VALUES (1)") }
            let expected: Set<String> = ["store-writer", "store-wal-sync", "store-checkpt", "store-reader-0"]
            // Each thread names itself once it runs.
            try? await eventually("every store thread carries its name") { expected.isSubset(of: Self.threadNames()) }
            let missing = expected.subtracting(Self.threadNames())
            #expect(missing.isEmpty, "threads without their name: \(missing.sorted()); threads: \(Self.threadNames().sorted())")
        }
    }
}
