// Test support for StoreTests' durability test: acknowledges writes on stdout until killed.
//
//   store-crash-probe <database-path> [concurrent-writers]
//
// Each line is "<rowid> <payload>", printed only after `write` returned, i.e. after the commit.
// The test kills this process with SIGKILL and checks that every printed row is in the database.
import Foundation
import Store

#if canImport(Glibc)
import Glibc
#endif

/// Must match `DurabilityTests.probeMigrations`: the test reopens the same file.
let probeMigrations = [
    Migration(version: 1, name: "create acks", sql: "CREATE TABLE acks (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"),
]

/// One write(2) per line: atomic on a pipe, so concurrent writers never interleave a line.
func emit(_ line: String) {
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

func run() async throws {
    let arguments = CommandLine.arguments
    guard arguments.count >= 2 else {
        FileHandle.standardError.write(Data("usage: store-crash-probe <database-path> [concurrent-writers]\n".utf8))
        exit(2)
    }
    let writers = arguments.count > 2 ? max(Int(arguments[2]) ?? 1, 1) : 1
    let database = try Database(path: arguments[1], migrations: probeMigrations)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<writers {
            group.addTask {
                var sequence = 0
                while true {
                    sequence += 1
                    let payload = "w\(writer)-\(sequence)"
                    let id = try await database.write { connection in
                        try connection.execute("INSERT INTO acks (payload) VALUES (?)", [.text(payload)])
                        return connection.lastInsertRowID
                    }
                    emit("\(id) \(payload)")
                }
            }
        }
        try await group.waitForAll()
    }
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("store-crash-probe: \(error)\n".utf8))
    exit(1)
}
