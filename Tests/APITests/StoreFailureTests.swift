import CSQLite
import Foundation
import Synchronization
import Testing
@testable import API
@testable import Core
import HTTP
@testable import Store

/// When the database cannot be used, the API answers 503 with a code and a message that say
/// what happened and whether to retry, not a bare 500; a defect stays a 500 that reveals nothing.
@Suite struct StoreFailureTests {
    @Test func everyCauseHasItsStatusCodeAndRetryAdvice() {
        let cases: [(StoreError, Int, String, String?)] = [
            (.sqlite(code: SQLITE_BUSY, extendedCode: SQLITE_BUSY, message: "database is locked", sql: nil),
             503, "store_busy", "1"),
            (.sqlite(code: SQLITE_LOCKED, extendedCode: SQLITE_LOCKED, message: "locked", sql: nil), 503, "store_busy", "1"),
            (.sqlite(code: SQLITE_FULL, extendedCode: SQLITE_FULL, message: "disk full", sql: nil), 503, "storage_full", nil),
            (.sqlite(code: SQLITE_IOERR, extendedCode: 10 | (4 << 8), message: "disk I/O error", sql: nil),
             503, "store_unavailable", nil),
            (.walSyncFailed(path: "/x/warden.db-wal", errno: EIO), 503, "store_unavailable", nil),
            (.closed, 503, "shutting_down", "1"),
            (.sqlite(code: SQLITE_CORRUPT, extendedCode: SQLITE_CORRUPT, message: "malformed", sql: nil),
             500, "internal_error", nil),
            (.constraint(extendedCode: 2067, message: "UNIQUE constraint failed: runs.id", sql: "INSERT …"),
             500, "internal_error", nil),
            (.misuse("bad binding count"), 500, "internal_error", nil),
        ]
        for (error, status, code, retryAfter) in cases {
            #expect(error.status.code == status, "\(error)")
            #expect(error.code == code, "\(error)")
            #expect(error.type == "internal", "\(error)")
            #expect(error.headers["Retry-After"] == retryAfter, "\(error)")
            // A defect's details (SQL, constraint names) stay in the log.
            if status == 500 { #expect(!error.message.contains("runs.id") && !error.message.contains("binding")) }
        }
    }

    @Test func aFailedWALSyncIs503ForWritesAndReadsAfterIt() async throws {
        let failing = Atomic<Bool>(false)
        var store = Database.Configuration(synchronous: .full)
        store.syncWAL = { fd in
            guard failing.load(ordering: .relaxed) else { return fdatasync(fd) }
            errno = EIO
            return -1
        }
        try await withFixture(store: store) { f in
            let session = try await f.createSession(as: f.admin)
            failing.store(true, ordering: .relaxed)
            let posted = try await f.post("/v1/sessions/\(session)/messages", as: f.admin, json: #"{"content":"hi"}"#)
            #expect(posted.status == 503, "\(posted)")
            #expect(posted.errorCode == "store_unavailable")
            #expect(posted.text.contains("restart warden"), "\(posted)")
            #expect(posted.headers["Retry-After"] == nil)
            let read = try await f.get("/v1/sessions/\(session)", as: f.admin)
            #expect(read.status == 503, "\(read)")
            #expect(read.errorCode == "store_unavailable")
        }
    }

    @Test func aDatabaseLockedByAnotherProcessIs503WithRetryAfterAndChangesNothing() async throws {
        var store = Database.Configuration()
        store.busyTimeout = .milliseconds(50)
        try await withFixture(store: store) { f in
            let before = try await f.count("sessions")
            // Another writer on the same file (as a second warden on the data dir would be) holds
            // the write lock until the request has been answered.
            let other = try Database(path: f.dbPath, migrations: WardenSchema.migrations)
            let locked = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            // The writer runs the body inside BEGIN IMMEDIATE: the lock is held until it returns.
            async let holder: Void = other.write { _ in
                locked.signal()
                release.wait()
            }
            await withCheckedContinuation { c in DispatchQueue.global().async { locked.wait(); c.resume() } }
            let reply = try await f.post("/v1/sessions", as: f.admin, json: "{}")
            release.signal()
            try await holder
            await other.close()
            #expect(reply.status == 503, "\(reply)")
            #expect(reply.errorCode == "store_busy")
            #expect(reply.headers["Retry-After"] == "1")
            #expect(try await f.count("sessions") == before)
            #expect(try await f.post("/v1/sessions", as: f.admin, json: "{}").status == 201, "the lock is gone")
        }
    }

    @Test func aClosedStoreIs503ShuttingDown() async throws {
        try await withFixture { f in
            await f.api.database.close()
            let reply = try await f.get("/v1/sessions", as: f.admin)
            #expect(reply.status == 503, "\(reply)")
            #expect(reply.errorCode == "shutting_down")
            #expect(reply.headers["Retry-After"] == "1")
        }
    }
}
