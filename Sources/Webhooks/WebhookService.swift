import Core
import HTTP
import Logging
import Store
import Synchronization

/// Outbound webhooks (SPEC §3): the dispatcher turns committed events into durable
/// deliveries, the worker sends them with Standard Webhooks signatures and retries with
/// backoff. `warden serve` starts it after the vault is open and stops it before the database.
public final class WebhookService: Sendable {
    private let core: WardenCore
    private let sealer: any SecretSealer
    private let client: HTTPClient
    private let configuration: WebhookConfiguration
    private let logger: Logger
    private let dispatcher: EventFollower<WebhookDispatcher>
    private let worker: DeliveryWorker
    private let tasks = Mutex<[Task<Void, Never>]>([])

    public init(core: WardenCore, sealer: any SecretSealer, group: EventLoopGroup,
                configuration: WebhookConfiguration = .init(), logger: Logger = Logger(label: "warden.webhooks")) {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.idleTimeout = configuration.attemptTimeout
        // The answer's body is not used; a receiver has no reason to send much of one.
        clientConfiguration.maxBodyBytes = 1 << 20
        client = HTTPClient(group: group, configuration: clientConfiguration)
        self.core = core
        self.sealer = sealer
        self.configuration = configuration
        self.logger = logger
        let metrics = WebhookMetrics()
        core.metrics.register { metrics.families }
        let worker = DeliveryWorker(core: core, attempt: DeliveryAttempt(client: client, sealer: sealer,
                                                                         timeout: configuration.attemptTimeout),
                                    configuration: configuration, metrics: metrics, logger: logger)
        self.worker = worker
        dispatcher = EventFollower(core: core, handler: WebhookDispatcher(), logger: logger) { worker.wake() }
    }

    /// Checks that every webhook's secret opens with this vault (a wrong master key is an error
    /// now, not a failed delivery later), then follows events and sends what is pending.
    public func start() async throws {
        let webhooks = try await core.read { try WebhookRepository($0).all() }
        for webhook in webhooks {
            do {
                _ = try sealer.open(nonce: webhook.secretNonce, ciphertext: webhook.secretCiphertext, id: webhook.id,
                                    name: webhook.sealName)
            } catch {
                throw WebhookServiceError.secretDoesNotOpen(webhook: webhook.id, reason: "\(error)")
            }
        }
        // Subscribed before the first catch-up, so nothing committed in between goes unnoticed.
        let subscription = core.bus.subscribe(session: nil)
        let (dispatcher, worker) = (self.dispatcher, self.worker)
        tasks.withLock { tasks in
            tasks.append(Task { await dispatcher.run(following: subscription) })
            tasks.append(Task { await worker.run() })
        }
        logger.info("webhooks started", metadata: ["webhooks": "\(webhooks.count)"])
    }

    /// Stops following events and starting attempts; waits a little for attempts in flight.
    public func stop() async {
        let running = tasks.withLock { tasks in defer { tasks.removeAll() }; return tasks }
        for task in running { task.cancel() }
        await worker.stop(grace: configuration.stopGrace)
        for task in running { await task.value }
        client.shutdown()
    }
}

public enum WebhookServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A webhook's sealed secret does not open: warden runs with another master key than the
    /// one it was created with (or the row was altered).
    case secretDoesNotOpen(webhook: String, reason: String)

    public var description: String {
        switch self {
        case .secretDoesNotOpen(let webhook, let reason):
            return "The signing secret of webhook \(webhook) does not open with this master key (\(reason)). "
                + "Start warden with the key it was created with, or delete the webhook and create it again."
        }
    }
}
