import Foundation
import Testing
import TestSupport
@testable import Store

#if canImport(Glibc)
import Glibc
#endif

/// Acknowledged means durable: a child process prints each row id after its `write` returned,
/// is killed with SIGKILL mid-stream, and every printed row must be in the reopened database.
@Suite struct DurabilityTests {
    /// Must match the migrations in Tests/StoreCrashProbe/main.swift.
    static let probeMigrations = [
        Migration(version: 1, name: "create acks", sql: "CREATE TABLE acks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"),
    ]

    static func probeExecutable() -> URL? { BuiltExecutable.find("store-crash-probe") }

    /// Runs the probe until it acknowledged `atLeast` rows, kills it, and returns its acknowledgements.
    func acknowledgementsUntilKilled(probe: URL, path: String, writers: Int, atLeast: Int) async throws -> [Int64: String] {
        let probeProcess = try ChildProcess(probe.path, [path, "\(writers)"])
        do {
            try await eventually("acknowledged writes from the probe") {
                probeProcess.lines.count >= atLeast || !probeProcess.isRunning
            }
        } catch {
            probeProcess.signal(SIGKILL)
            throw error
        }
        let running = probeProcess.isRunning
        probeProcess.signal(SIGKILL)
        // Lines already in the pipe were acknowledged before the kill and count as well.
        let termination = await probeProcess.waitForExit()
        try #require(running, "the probe exited early: \(probeProcess.standardError)")
        #expect(termination == .signalled(SIGKILL))
        // Only complete lines count: a partial last line was never fully acknowledged.
        let lines = probeProcess.lines

        var acknowledged: [Int64: String] = [:]
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1)
            let id = try #require(parts.count == 2 ? Int64(parts[0]) : nil, "bad probe line: \(line)")
            acknowledged[id] = String(parts[1])
        }
        #expect(acknowledged.count >= atLeast)
        return acknowledged
    }

    @Test(arguments: [1, 8])
    func acknowledgedWritesSurviveSIGKILL(writers: Int) async throws {
        let probe = try #require(Self.probeExecutable(), "store-crash-probe was not found next to the test bundle")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("probe.sqlite").path

        // Several kills on the same file: more chances to land between an acknowledgement and
        // its commit if the two were ever reordered, and each restart recovers a killed WAL.
        var acknowledged: [Int64: String] = [:]
        for round in 1...5 {
            let more = try await acknowledgementsUntilKilled(probe: probe, path: path, writers: writers, atLeast: 100)
            acknowledged.merge(more) { old, _ in old }

            let database = try Database(path: path, migrations: Self.probeMigrations)
            let stored: [Int64: String] = try await database.read { connection in
                var rows: [Int64: String] = [:]
                for row in try connection.query("SELECT id, payload FROM acks") {
                    rows[try row.get("id")] = try row.get("payload")
                }
                return rows
            }
            await database.close()
            let missing = acknowledged.filter { stored[$0.key] != $0.value }
            #expect(missing.isEmpty, "round \(round): \(missing.count) of \(acknowledged.count) acknowledged rows missing after SIGKILL")
        }
    }
}
