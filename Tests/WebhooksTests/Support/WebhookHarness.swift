import Core
import CredentialProxy
import Foundation
import HTTP
import Store
import TestSupport
@testable import Webhooks

/// A core over a real SQLite file, the vault, event loops and a running `WebhookService` with
/// short retry delays: what `warden serve` wires, minus the API. `restarted()` closes it all
/// and opens the same database again, as a restart of warden does.
final class WebhookHarness: Sendable {
    let directory: String
    let database: Database
    let core: WardenCore
    let vault: Vault
    let group: EventLoopGroup
    let service: WebhookService
    let configuration: WebhookConfiguration
    /// Endpoints made with `receiver`, stopped before the loops they run on.
    private let receivers = Locked<[Receiver]>([])

    static func testConfiguration() -> WebhookConfiguration {
        var configuration = WebhookConfiguration()
        configuration.retry = RetryPolicy(delays: [.milliseconds(20), .milliseconds(20), .milliseconds(20)], jitter: 0)
        configuration.attemptTimeout = .seconds(5)
        configuration.stopGrace = .seconds(2)
        return configuration
    }

    private init(directory: String, vault: Vault, configuration: WebhookConfiguration, start: Bool) async throws {
        self.directory = directory
        self.vault = vault
        self.configuration = configuration
        database = try Database(path: directory + "/warden.db", configuration: Database.Configuration(logger: quietLogger),
                                migrations: WardenSchema.migrations)
        core = WardenCore(database: database, logger: quietLogger)
        group = try EventLoopGroup(loopCount: 2)
        service = WebhookService(core: core, sealer: vault, group: group, configuration: configuration, logger: quietLogger)
        if start { try await service.start() }
    }

    /// Runs `body` with a fresh harness (and gives it the event loops for receivers), then stops it.
    static func with<R>(_ configuration: WebhookConfiguration = testConfiguration(), start: Bool = true,
                        _ body: (WebhookHarness) async throws -> R) async throws -> R {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-webhooks-\(UUID().uuidString.prefix(12))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let harness = try await WebhookHarness(directory: directory, vault: Vault(masterKey: .random()),
                                               configuration: configuration, start: start)
        do {
            let result = try await body(harness)
            await harness.stop()
            return result
        } catch {
            await harness.stop()
            throw error
        }
    }

    func stop() async {
        for receiver in receivers.withLock({ r in defer { r.removeAll() }; return r }) { await receiver.stop() }
        await service.stop()
        await database.close()
        group.shutdown()
    }

    /// Stops this service and database, then opens the same file with a new core and service;
    /// `start: false` leaves the service stopped (warden down). The caller stops the result.
    func restarted(start: Bool = true) async throws -> WebhookHarness {
        await stop()
        return try await WebhookHarness(directory: directory, vault: vault, configuration: configuration, start: start)
    }

    func start() async throws { try await service.start() }

    /// An endpoint on this harness's loops (see `Receiver`), stopped with it.
    func receiver(answers: [Response] = [], hold: Bool = false) throws -> Receiver {
        let receiver = try Receiver(group: group, answers: answers, hold: hold)
        receivers.update { $0.append(receiver) }
        return receiver
    }

    // MARK: webhooks

    /// Creates a webhook as the API does; returns its id and the secret shown once.
    func createWebhook(url: String, events: [WebhookEventType]) async throws -> (id: String, secret: String) {
        let vault = self.vault
        let (webhook, secret) = try await core.write { tx in
            try tx.createWebhook(WebhookSpec(url: url, events: events.map(\.rawValue)), sealer: vault, actor: nil)
        }
        return (webhook.id, secret.revealText())
    }

    func deliveries(_ webhook: String) async throws -> [WebhookDeliveryRecord] {
        try await core.read { try WebhookDeliveryRepository($0).list(webhook: webhook, page: PageRequest(limit: 100, descending: false)) }
            .items
    }

    func delivery(_ id: String) async throws -> WebhookDeliveryRecord? {
        try await core.read { try WebhookDeliveryRepository($0).find(id) }
    }

    /// Waits until every delivery of `webhook` is final and there are `count` of them.
    func settled(_ webhook: String, count: Int, within seconds: Double = 10) async throws -> [WebhookDeliveryRecord] {
        try await eventually(within: seconds, "\(count) settled deliveries of \(webhook)") { [self] in
            let all = try await deliveries(webhook)
            return all.count == count && all.allSatisfy { $0.status != "pending" }
        }
        return try await deliveries(webhook)
    }

    // MARK: events

    func session() async throws -> String {
        try await core.write { tx in try tx.createSession(SessionInput(), owner: "key_test").id }
    }

    /// Posts a message and finishes its run: `message.created`, `run.created`, `run.status` and
    /// then `run.completed` or `run.failed`. Returns the run id.
    @discardableResult
    func finishRun(in session: String, status: RunStatus = .completed) async throws -> String {
        try await core.write { tx in
            let (_, run) = try tx.postMessage(IncomingMessage(content: [ContentBlock(text: "hi")]), to: session)
            let record = try RunRepository(tx.db).find(run.id)!
            try tx.finishRun(record, status: status, stopReason: status == .completed ? "end_turn" : nil)
            return run.id
        }
    }

    func requestApproval(in session: String) async throws -> Approval {
        try await core.requestApproval(
            session: session, run: nil, kind: "egress", summary: "POST api.example.com/v1/charge",
            request: ApprovalRequestDetails(method: "POST", host: "api.example.com", path: "/v1/charge",
                                            headers: [:], body_preview: "{}"))
    }
}
