import Foundation
import HTTP

/// The in-container agent (docs/agent-protocol.md): starts the relay, then works on the
/// session's runs until its task is cancelled.
public final class WardenAgent: Sendable {
    public static let version = "0.1.0"

    public let configuration: AgentConfiguration
    private let log: EventLog
    private let group: EventLoopGroup
    private let http: HTTPClient

    public init(configuration: AgentConfiguration, log: EventLog = .standardError) throws(SystemError) {
        self.configuration = configuration
        self.log = log
        group = try EventLoopGroup(loopCount: 1)
        http = HTTPClient(group: group)
    }

    /// Starts the relay on `configuration.relayAddress`, if any. A relay that cannot start is
    /// logged, not fatal: model calls go over the proxy socket directly and still work.
    public func startRelay() -> Relay? {
        guard let address = configuration.relayAddress else { return nil }
        do {
            let relay = try Relay(listen: address, upstream: configuration.proxySocket, log: log)
            log.info("relay.listening", ["address": .string(relay.address.description),
                                         "upstream": .string(configuration.proxySocket)])
            return relay
        } catch {
            log.error("relay.failed", ["address": .string(address.description), "error": .string(error.description)])
            return nil
        }
    }

    /// Polls for work and runs it until the calling task is cancelled.
    public func run() async {
        // Without an init in the container the agent is PID 1 and inherits every orphan.
        if getpid() == 1 { ChildProcesses.shared.reapEveryChild() }
        let relay = startRelay()
        defer { relay?.close() }
        log.info("agent.started", ["version": .string(Self.version), "agent_socket": .string(configuration.agentSocket),
                                   "workspace": .string(configuration.workspace)])
        let loop = WorkLoop(configuration: configuration, warden: WardenClient(http: http, socketPath: configuration.agentSocket),
                            http: http, toolbox: Toolbox(), log: log)
        await loop.run()
        http.shutdown()
    }

    /// Kills every command a tool started (their whole process groups), e.g. before exiting
    /// on SIGTERM, so no background job outlives the agent.
    public static func killRunningCommands() { ChildProcesses.shared.killAll() }

    deinit { group.shutdown() }
}
