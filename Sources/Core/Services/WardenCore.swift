import Logging
import Store

/// The application core: the database, the event bus and the rules that change state.
/// Every mutation goes through `write`, so its events are stored with it and published after
/// the commit.
public final class WardenCore: Sendable {
    public let database: Database
    public let bus: EventBus
    public let ids = IDGenerator()
    public let keys: KeyRing
    public let approvals: ApprovalWaiters
    public let signals = SessionSignals()
    /// What `/metrics` shows; every module registers its counters here.
    public let metrics = MetricsRegistry()
    let logger: Logger

    public init(database: Database, bus: EventBus = EventBus(), logger: Logger = Logger(label: "warden.core")) {
        self.database = database
        self.bus = bus
        self.logger = logger
        keys = KeyRing()
        approvals = ApprovalWaiters()
        registerCoreMetrics()
    }

    /// Runs `body` in a write transaction (group-committed); publishes its events once durable.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        let result = try await database.write { [unowned self] db in
            let tx = Transaction(db: db, core: self)
            let value = try body(tx)
            return Committed(value: value, events: tx.events, afterCommit: tx.afterCommit)
        }
        return finish(result)
    }

    /// Blocking variant for the CLI and start-up; not for async contexts.
    @available(*, noasync)
    public func writeSync<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) throws -> T {
        let result = try database.writeSync { [unowned self] db in
            let tx = Transaction(db: db, core: self)
            let value = try body(tx)
            return Committed(value: value, events: tx.events, afterCommit: tx.afterCommit)
        }
        return finish(result)
    }

    private struct Committed<T: Sendable>: Sendable {
        var value: T
        var events: [EventRecord]
        var afterCommit: [@Sendable () -> Void]
    }

    private func finish<T>(_ c: Committed<T>) -> T {
        for work in c.afterCommit { work() }
        bus.publish(c.events)
        return c.value
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await database.read(body)
    }
}

extension WardenCore {
    /// This database's identity, made at its creation: labels the containers this warden owns.
    public func instanceID() async throws -> String {
        try await read { try $0.queryOne("SELECT id FROM instance")?.get("id") ?? "unknown" }
    }
}
