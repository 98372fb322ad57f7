import API
import ArgumentParser
import Channels
import Core
import CredentialProxy
import Foundation
import HTTP
import Logging
import Scheduler
import Store
import Webhooks

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Warden server.")

    @Option(help: "Address to listen on: HOST:PORT, or unix:/path/to.sock.")
    var listen: String = "127.0.0.1:8080"

    @OptionGroup var data: DataDirectoryOption

    @OptionGroup var agents: SchedulerOptions

    @OptionGroup var models: ModelOptions

    @Option(help: "Event loop threads (default: one per core).")
    var workers: Int = System.coreCount

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .customLong("shutdown-grace"), help: "Seconds to let in-flight requests finish on SIGTERM/SIGINT.")
    var shutdownGrace: Int = 30

    func validate() throws {
        guard workers >= 1 && workers <= 256 else { throw ValidationError("--workers must be between 1 and 256.") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level '\(logLevel)' is not a level.") }
        do { _ = try SocketAddress(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        let logger = Logger(label: "warden")
        Process.prepareForServing()

        let dataURL = try data.prepare()
        let database = try data.openDatabase()
        let core = WardenCore(database: database)
        try await core.loadKeys(bootstrapSecret: ProcessInfo.processInfo.environment["WARDEN_ADMIN_KEY"])
        // Whoever waited on a pending approval went away with the previous process.
        let expired = try await core.expireApprovals(all: true)
        if expired > 0 { logger.info("expired approvals left pending by the previous run", metadata: ["count": "\(expired)"]) }
        let maintenance = Task { await core.runMaintenance() }

        let group = try EventLoopGroup(loopCount: workers)
        let credentials = try await models.openCredentials(core: core, dataDirectory: dataURL, logger: logger)
        let router = APIRouter.make(core: core, credentials: credentials, channelKeyClient: HTTPClient(group: group),
                                    logger: Logger(label: "warden.api"))
        let server = HTTPServer(group: group, handler: router, logger: Logger(label: "warden.http"))
        let runtime = await agents.runtime(group: group, logger: logger)
        let instanceID = try await core.instanceID()
        let authority = try ProxyCA.loadOrCreate(dataDirectory: dataURL.path, instanceID: instanceID)
        if authority.isNew { logger.info("created the proxy CA", metadata: ["certificate": "\(authority.certificatePath)"]) }
        var schedulerConfiguration = agents.configuration(dataDirectory: dataURL, instanceID: instanceID)
        schedulerConfiguration.caCertificate = try ContainerTrustBundle.write(for: authority)
        let scheduling = SchedulerService(
            core: core, runtime: runtime, configuration: schedulerConfiguration,
            group: group, proxy: try models.proxyHandler(credentials: credentials, group: group, authority: authority),
            logger: Logger(label: "warden.scheduler"))
        await scheduling.start()
        let webhooks = WebhookService(core: core, sealer: credentials.vault, group: group)
        try await webhooks.start()
        let replies = ChannelReplyService(core: core, transport: OutboundClientTransport(
            client: OutboundClient(store: credentials, client: try models.upstreamClient(group: group))))
        replies.start()
        core.metrics.register { server.statistics.families(server: "api") + scheduling.socketStatistics.families(server: "sessions") }
        let listener = try server.listen(SocketAddress(parsing: listen))
        logger.info("listening", metadata: ["address": "\(listener.address)", "workers": "\(workers)",
                                            "data_dir": "\(dataURL.path)", "max_containers": "\(agents.maxContainers)"])

        let signal = await ShutdownSignal.wait()
        logger.info("shutting down", metadata: ["signal": "\(signal)", "grace_seconds": "\(shutdownGrace)"])
        await server.shutdown(grace: .seconds(shutdownGrace))
        await scheduling.shutdown()
        await webhooks.stop()
        await replies.stop()
        maintenance.cancel()
        await database.close()
        group.shutdown()
        logger.info("stopped")
    }
}
