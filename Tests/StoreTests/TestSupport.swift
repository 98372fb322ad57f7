import Dispatch
import Foundation
import Testing
@testable import Store

struct TestError: Error, Equatable {
    let id: Int
}

/// A fresh directory per test; tests run in parallel.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let itemsMigration = Migration(
    version: 1, name: "create items",
    sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE, label TEXT)")

/// Opens a database in a temporary directory, runs `body`, then closes and deletes it.
func withDatabase<R>(
    migrations: [Migration] = [itemsMigration],
    configuration: Database.Configuration = .init(),
    _ body: (Database, String) async throws -> R
) async throws -> R {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("db/store.sqlite").path
    let database = try Database(path: path, configuration: configuration, migrations: migrations)
    do {
        let result = try await body(database, path)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

/// A one-shot signal between a write or read body (on a store thread) and the test.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func open() { semaphore.signal() }

    /// For store threads only: blocks.
    func wait() { semaphore.wait() }

    /// For the test: waits off the cooperative pool.
    func waitAsync() async {
        await blockingWait { self.semaphore.wait() }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls until `condition` holds. The limit only guards against a hang; nothing asserts on time.
func eventually(_ what: String, _ condition: @Sendable () -> Bool) async throws {
    for _ in 0..<6000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(what: what)
}

func count(_ database: Database, _ table: String = "items") async throws -> Int {
    try await database.read { try $0.queryOne("SELECT count(*) AS c FROM \(table)")!.get("c") }
}

/// Runs a blocking wait on a thread of its own: neither the cooperative pool nor Dispatch's
/// small global pool should be tied up by it.
func blockingWait(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        Thread {
            body()
            continuation.resume()
        }.start()
    }
}
