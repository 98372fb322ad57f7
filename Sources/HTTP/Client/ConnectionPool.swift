import Synchronization

/// Idle keep-alive connections by destination. Connections check themselves in and out
/// from their loops; callers take them from any thread.
final class ConnectionPool: Sendable {
    private let idle = Mutex<[String: [ClientConnection]]>([:])
    let maxIdlePerDestination: Int

    init(maxIdlePerDestination: Int) { self.maxIdlePerDestination = maxIdlePerDestination }

    func checkOut(_ key: String) -> ClientConnection? {
        idle.withLock { $0[key]?.popLast() }
    }

    /// Returns false when the pool is full; the caller then closes the connection.
    func checkIn(_ connection: ClientConnection) {
        let kept = idle.withLock { pool -> Bool in
            var list = pool[connection.key, default: []]
            guard list.count < maxIdlePerDestination else { return false }
            list.append(connection)
            pool[connection.key] = list
            return true
        }
        if !kept { connection.close() }
    }

    func remove(_ connection: ClientConnection) {
        idle.withLock { pool in
            pool[connection.key]?.removeAll { $0 === connection }
        }
    }

    func drain() -> [ClientConnection] {
        idle.withLock { pool in
            let all = pool.values.flatMap { $0 }
            pool.removeAll()
            return all
        }
    }
}
