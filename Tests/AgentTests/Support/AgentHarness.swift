import TestSupport
import Foundation
import HTTP
import ScriptedModel
import Synchronization
@testable import Agent

/// One session's world for an in-process agent: a temp directory with the workspace and both
/// sockets, a scripted model behind a fake proxy, a fake warden, and the agent itself.
final class AgentHarness: Sendable {
    let directory: String
    let workspace: String
    let model: ScriptedModelServer
    let proxy: FakeProxy
    let warden: FakeWarden
    let logLines = Locked<[String]>([])
    private let agentTask = Locked<Task<Void, Never>?>(nil)

    var agentSocket: String { directory + "/agent.sock" }
    var proxySocket: String { directory + "/proxy.sock" }

    init(_ script: ModelScript) throws {
        // Short paths: a unix socket path must fit in 108 bytes.
        directory = "/tmp/wa-" + UUID().uuidString.prefix(8).lowercased()
        workspace = directory + "/workspace"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        model = try ScriptedModelServer.start(script: script)
        proxy = try FakeProxy(socketPath: directory + "/proxy.sock", model: model.address)
        warden = try FakeWarden(socketPath: directory + "/agent.sock")
    }

    func configuration() -> AgentConfiguration {
        var configuration = AgentConfiguration(agentSocket: agentSocket, proxySocket: proxySocket, workspace: workspace)
        configuration.pollWait = 1
        return configuration
    }

    /// Starts the agent in this process; `adjust` changes its configuration first.
    func startAgent(_ adjust: (inout AgentConfiguration) -> Void = { _ in }) throws {
        var configuration = configuration()
        adjust(&configuration)
        let lines = logLines
        let agent = try WardenAgent(configuration: configuration, log: EventLog { line in lines.withLock { $0.append(line) } })
        agentTask.withLock { $0 = Task { await agent.run() } }
    }

    var log: [String] { logLines.withLock { $0 } }

    func stop() async {
        agentTask.withLock { $0?.cancel() }
        await warden.stop()
        await proxy.stop()
        await model.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func file(_ name: String) -> String? {
        FileManager.default.contents(atPath: workspace + "/" + name).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// JSON navigation for assertions.
extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func array(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { self[key] as? Int }
}

extension AgentHarness {
    /// Runs `body` with a fresh harness and always tears it down, also when the body throws.
    static func run(_ script: ModelScript, _ body: (AgentHarness) async throws -> Void) async throws {
        let harness = try AgentHarness(script)
        do {
            try await body(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
