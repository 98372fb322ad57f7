import Foundation

/// Read-only connections, each owned by its own thread, fed from one queue so a read goes to
/// whichever connection is free. SQLite I/O therefore never blocks the cooperative pool.
final class ReaderPool: Sendable {
    typealias Job = @Sendable (Connection) -> Void

    private let queue = WorkQueue<Job>()
    private let finished: Latch
    private let threads = Locked<[pthread_t]>([])

    init(connections: [Connection]) {
        finished = Latch(count: connections.count)
        for (index, connection) in connections.enumerated() {
            let handoff = Handoff(value: connection)
            let worker = Thread { [self] in
                Thread.current.name = "store-reader-\(index)" // applied on Linux only from the thread itself
                self.run(handoff.value)
            }
            worker.start()
        }
    }

    var isClosed: Bool { queue.isClosed }

    var isCurrentThread: Bool {
        let me = pthread_self()
        return threads.withLock { $0.contains { pthread_equal($0, me) != 0 } }
    }

    func submit<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws -> T,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) throws {
        try queue.push { connection in
            completion(Result { try Self.inSnapshot(connection, body) })
        }
    }

    /// Refuses new reads; queued ones still run.
    func close() { queue.close() }

    func waitUntilFinished() async { await finished.wait() }

    func waitUntilFinishedSync() { finished.wait() }

    /// One deferred transaction around the whole body, so every statement in it reads the same
    /// snapshot even while the writer commits.
    private static func inSnapshot<T>(_ connection: Connection, _ body: (Connection) throws -> T) throws -> T {
        try connection.executeInternal("BEGIN DEFERRED")
        let value: T
        do {
            value = try body(connection)
        } catch {
            if !connection.isAutocommit { try? connection.executeInternal("ROLLBACK") }
            throw error
        }
        do {
            if !connection.isAutocommit { try connection.executeInternal("COMMIT") }
        } catch {
            if !connection.isAutocommit { try? connection.executeInternal("ROLLBACK") }
            throw error
        }
        return value
    }

    private func run(_ connection: Connection) {
        let me = pthread_self()
        threads.withLock { $0.append(me) }
        while let job = queue.pop() {
            job(connection)
        }
        connection.close()
        finished.countDown()
    }
}
