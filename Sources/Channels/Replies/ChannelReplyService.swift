import Core
import Logging
import Synchronization

/// Channel replies (SPEC §6): the dispatcher turns the agent's messages and approvals in
/// channel sessions into outbox rows; the worker delivers them through the transport (the
/// credential proxy's outbound client, which injects the bot token) with retries.
/// `warden serve` starts it after the vault is open and stops it before the database.
public final class ChannelReplyService: Sendable {
    private let core: WardenCore
    private let configuration: ChannelReplyConfiguration
    private let logger: Logger
    private let dispatcher: EventFollower<ReplyDispatcher>
    private let worker: OutboxWorker
    private let tasks = Mutex<[Task<Void, Never>]>([])

    public init(core: WardenCore, transport: any ChannelTransport, configuration: ChannelReplyConfiguration = .init(),
                logger: Logger = Logger(label: "warden.channels.replies")) {
        self.core = core
        self.configuration = configuration
        self.logger = logger
        let metrics = ChannelReplyMetrics()
        core.metrics.register { metrics.families }
        let worker = OutboxWorker(core: core, sender: OutboxSender(core: core, transport: transport),
                                  configuration: configuration, metrics: metrics, logger: logger)
        self.worker = worker
        dispatcher = EventFollower(core: core, handler: ReplyDispatcher(), logger: logger) { worker.wake() }
    }

    public func start() {
        // Subscribed before the first catch-up, so nothing committed in between goes unnoticed.
        let subscription = core.bus.subscribe(session: nil)
        let (dispatcher, worker) = (self.dispatcher, self.worker)
        tasks.withLock { tasks in
            tasks.append(Task { await dispatcher.run(following: subscription) })
            tasks.append(Task { await worker.run() })
        }
    }

    /// Stops following events and starting attempts; waits a little for attempts in flight.
    public func stop() async {
        let running = tasks.withLock { tasks in defer { tasks.removeAll() }; return tasks }
        for task in running { task.cancel() }
        await worker.stop(grace: configuration.stopGrace)
        for task in running { await task.value }
    }
}
