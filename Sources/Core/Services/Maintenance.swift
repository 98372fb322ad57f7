import Logging
import Store

extension WardenCore {
    /// Deletes idempotency records older than 24 hours.
    @discardableResult
    public func sweepIdempotencyKeys() async throws -> Int {
        let cutoff = Timestamp.unixSeconds() - 24 * 3600
        return try await database.write { try IdempotencyRepository($0).deleteOlder(than: cutoff) }
    }

    /// The periodic work of a running server: approval expiry every second, idempotency
    /// and channel delivery-id sweeping every minute. Runs until the task is cancelled.
    public func runMaintenance() async {
        var tick = 0
        while !Task.isCancelled {
            do {
                try await expireApprovals()
                if tick % 60 == 0 {
                    try await sweepIdempotencyKeys()
                    try await sweepChannelDeliveries()
                }
            } catch {
                logger.error("maintenance failed", metadata: ["error": "\(error)"])
            }
            tick += 1
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
