import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes commits durable off the writer thread. The writer's COMMIT writes the frames into the
/// WAL without syncing them (its VFS turns the commit's sync into a plain write, see
/// CWALBuffer.h); this thread fdatasyncs the WAL and only then hands back every commit the sync
/// covered. Done here instead of inside COMMIT, the writer runs the next batch while the disk
/// syncs the last one, and one sync covers every commit that finished while the previous sync ran.
///
/// Other connections see a commit as soon as SQLite has written it, before it is on disk. So
/// a read that may have seen one (it ended after that commit began) is handed back only once
/// the commit is synced: nothing a caller is shown, by a write or a read, can vanish with a
/// power cut.
final class WALFlusher: @unchecked Sendable {
    typealias Waiter = @Sendable ((any Error)?) -> Void

    private struct State {
        /// Commits begun: their changes may be visible to readers.
        var begun: UInt64 = 0
        /// Commits SQLite has finished (written into the WAL, or failed).
        var written: UInt64 = 0
        /// Commits covered by a finished sync.
        var synced: UInt64 = 0
        /// Commits covered by a successful sync; stops moving at the first failure.
        var durable: UInt64 = 0
        var failure: StoreError?
        var waiters: [(commit: UInt64, waiter: Waiter)] = []
        var closed = false
        /// The thread has handed back its last waiters and exited.
        var stopped = false
    }

    private let walPath: String
    private let syncFile: @Sendable (Int32) -> Int32
    private let stats: StatsRecorder
    private let condition = NSCondition()
    private var state = State() // guarded by `condition`
    private let finished = Latch(count: 1)

    /// `syncFile` is `fdatasync` except in tests that need to hold or fail a sync.
    init(walPath: String, stats: StatsRecorder, syncFile: @escaping @Sendable (Int32) -> Int32) {
        self.walPath = walPath
        self.stats = stats
        self.syncFile = syncFile
        let worker = Thread { [self] in
            Thread.current.name = "store-wal-sync" // applied on Linux only from the thread itself
            self.run()
        }
        worker.start()
    }

    /// Set once a sync failed: from then on nothing written can be promised durable.
    var failure: StoreError? {
        condition.lock()
        defer { condition.unlock() }
        return state.failure
    }

    // MARK: the writer's side

    /// Called by the writer just before COMMIT, while no reader can see the batch yet.
    func commitBegins() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        state.begun += 1
        return state.begun
    }

    /// Called by the writer once COMMIT returned: `waiters` (empty if it failed) are handed
    /// back when a sync covers commit `number`.
    func commitWritten(_ number: UInt64, waiters: [Waiter]) {
        condition.lock()
        state.written = number
        for waiter in waiters { state.waiters.append((number, waiter)) }
        condition.signal()
        condition.unlock()
    }

    // MARK: the readers' side

    /// Runs `waiter` once every commit a read ending now could have seen is durable: at once
    /// when none is pending, which is the common case outside write bursts.
    func afterVisibleCommits(_ waiter: @escaping Waiter) {
        condition.lock()
        let commit = state.begun
        guard commit > state.synced else {
            let error = outcome(of: commit)
            condition.unlock()
            waiter(error)
            return
        }
        guard !state.stopped else {
            condition.unlock()
            waiter(StoreError.closed)
            return
        }
        state.waiters.append((commit, waiter))
        condition.unlock()
    }

    // MARK: life cycle

    /// Syncs what the writer has committed, hands it back, then stops. Called by the writer
    /// after its last batch.
    func closeAndWait() {
        condition.lock()
        state.closed = true
        condition.signal()
        condition.unlock()
        finished.wait()
    }

    private func run() {
        var file = WALFile(path: walPath)
        condition.lock()
        while true {
            while state.written == state.synced && !state.closed { condition.wait() }
            if state.written == state.synced { break } // closed and drained
            let target = state.written
            condition.unlock()
            let error = file.sync(with: syncFile)
            stats.walSynced()
            condition.lock()
            if let error, state.failure == nil { state.failure = error }
            if state.failure == nil { state.durable = target }
            state.synced = target
            let ready = takeWaiters(through: target)
            let (durable, failure) = (state.durable, state.failure)
            condition.unlock()
            for (commit, waiter) in ready { waiter(commit <= durable ? nil : failure) }
            condition.lock()
        }
        // A waiter past the last commit cannot exist once the writer has stopped; fail any anyway
        // rather than leave a caller hanging.
        state.stopped = true
        let orphans = state.waiters
        state.waiters.removeAll()
        condition.unlock()
        for (_, waiter) in orphans { waiter(StoreError.closed) }
        file.release()
        finished.countDown()
    }

    /// Must hold `condition`.
    private func takeWaiters(through commit: UInt64) -> [(commit: UInt64, waiter: Waiter)] {
        var ready: [(commit: UInt64, waiter: Waiter)] = []
        var kept: [(commit: UInt64, waiter: Waiter)] = []
        for entry in state.waiters {
            if entry.commit <= commit { ready.append(entry) } else { kept.append(entry) }
        }
        state.waiters = kept
        return ready
    }

    /// Must hold `condition`: nil when `commit` is durable, the sync failure otherwise.
    private func outcome(of commit: UInt64) -> StoreError? {
        commit <= state.durable ? nil : state.failure
    }
}

/// The WAL file opened a second time, for syncing: fdatasync flushes the file's pages whichever
/// descriptor wrote them. Reopened if the file at the path is no longer the one it holds.
private struct WALFile {
    let path: String
    private var fd: Int32 = -1
    private var identity: (dev: UInt, ino: UInt)?

    init(path: String) { self.path = path }

    mutating func sync(with syncFile: (Int32) -> Int32) -> StoreError? {
        if let error = openIfReplaced() { return error }
        guard syncFile(fd) == 0 else { return .walSyncFailed(path: path, errno: errno) }
        return nil
    }

    mutating func release() {
        if fd >= 0 { _ = close(fd) }
        fd = -1
    }

    private mutating func openIfReplaced() -> StoreError? {
        var current = stat()
        guard stat(path, &current) == 0 else { return .walSyncFailed(path: path, errno: errno) }
        let now = (dev: UInt(current.st_dev), ino: UInt(current.st_ino))
        if fd >= 0, let identity, identity == now { return nil }
        release()
        fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return .walSyncFailed(path: path, errno: errno) }
        identity = now
        return nil
    }
}
