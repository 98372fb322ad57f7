import Core
import HTTP
import Logging

/// The scheduler with its sockets, as `warden serve` runs it: one HTTP server (on the shared
/// event loops) for every session's agent.sock and proxy.sock, and the scheduler deciding
/// which containers run.
public final class SchedulerService: Sendable {
    public let scheduler: Scheduler
    private let server: HTTPServer
    private let sockets: SessionSockets

    /// `proxy` serves each session's proxy.sock (the credential proxy); requests there carry a
    /// `SessionSocketIdentity` of kind `.proxy` as their listener context.
    public init(core: WardenCore, runtime: any ContainerRuntime, configuration: SchedulerConfiguration,
                group: EventLoopGroup, proxy: any HTTPHandler, logger: Logger = Logger(label: "warden.scheduler")) {
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.maxBodyBytes = 16 << 20
        let placeholder = PendingHandler()
        server = HTTPServer(group: group, configuration: serverConfiguration, handler: placeholder, logger: logger)
        sockets = SessionSockets(server: server)
        scheduler = Scheduler(core: core, runtime: runtime, configuration: configuration, sockets: sockets, logger: logger)
        placeholder.install(SessionSocketHandler(agent: AgentRoutes(core: core, scheduler: scheduler).router(), proxy: proxy))
    }

    /// The counters of the server behind every session's agent.sock and proxy.sock.
    public var socketStatistics: ServerStatistics { server.statistics }

    /// Recovers what the last run of warden left behind, then starts scheduling.
    public func start() async { await scheduler.start() }

    /// Stops the containers and closes the sockets; in-flight agent requests get `grace` to finish.
    public func shutdown(grace: Duration = .seconds(5)) async {
        await scheduler.shutdown()
        sockets.closeAll()
        await server.shutdown(grace: grace)
    }
}

/// The server needs its handler before the routes (which need the scheduler) exist.
private final class PendingHandler: HTTPHandler, @unchecked Sendable {
    private var handler: (any HTTPHandler)?
    func install(_ handler: any HTTPHandler) { self.handler = handler } // before any listener opens
    func handle(_ request: Request) -> HandlerResult { handler!.handle(request) }
}
