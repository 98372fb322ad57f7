import Foundation
import HTTP
import ScriptedModel
import Testing
import TestSupport

/// The built `warden-agent` binary, with only the environment a container gives it.
@Suite struct AgentProcessTests {
    @Test func theBinaryServesARunAndTheRelayAndStopsOnSIGTERM() async throws {
        let binary = try #require(BuiltExecutable.find("warden-agent"), "warden-agent is built")
        let script = ModelScript([.toolCall("bash", #"{"command":"echo from-bash > made-by-bash.txt"}"#), .text("Done.")])
        try await AgentHarness.run(script) { h in
            let runID = h.warden.enqueue()
            // A clean environment: the container's variables and nothing else.
            let child = try ChildProcess("/usr/bin/env", [
                "-i", "PATH=/usr/bin:/bin", "HOME=\(h.workspace)",
                "WARDEN_AGENT_SOCKET=\(h.agentSocket)", "WARDEN_PROXY_SOCKET=\(h.proxySocket)",
                "ANTHROPIC_API_KEY=warden-placeholder", "OPENAI_API_KEY=warden-placeholder",
                "WARDEN_WORKSPACE=\(h.workspace)", "WARDEN_RELAY_LISTEN=127.0.0.1:0", "WARDEN_POLL_WAIT=1",
                binary.path,
            ], mergeStandardError: true)
            defer { if child.isRunning { child.signal(SIGKILL) } }

            let completion = try await h.warden.completion(of: runID)
            #expect(completion["status"] as? String == "completed")
            #expect(h.file("made-by-bash.txt") == "from-bash\n")
            #expect(h.warden.calls(runID, "messages").first?.json["text"] as? String == "Done.")

            // Every log line is one JSON object.
            let lines = child.lines
            #expect(!lines.isEmpty)
            for line in lines {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
            }
            let relayLine = try #require(lines.first { $0.contains("\"event\":\"relay.listening\"") })
            let relayInfo = try #require(try JSONSerialization.jsonObject(with: Data(relayLine.utf8)) as? [String: Any])
            let relayAddress = try SocketAddress(parsing: try #require(relayInfo["address"] as? String))

            let echoed = try await TestClient.with { client in
                try await client.execute(ClientRequest(method: "POST", target: "/echo", body: Array("ping".utf8)), to: relayAddress)
            }
            #expect(echoed.bodyString == "ping")

            child.signal(SIGTERM)
            #expect(await child.waitForExit() == .exited(0))
            #expect(child.lines.contains { $0.contains("\"event\":\"agent.stopping\"") })
        }
    }

    /// Without an init in the container the agent is PID 1: it must reap orphans (zombies count
    /// against the PID limit) and must handle SIGTERM itself (PID 1 ignores unhandled signals).
    @Test(.enabled(if: canRunInPIDNamespace)) func asPID1ItReapsOrphansAndStopsOnSIGTERM() async throws {
        let binary = try #require(BuiltExecutable.find("warden-agent"), "warden-agent is built")
        let script = ModelScript([
            .toolCall("bash", #"{"command":"(sleep 0.2; true) & echo orphaned"}"#),
            .toolCall("bash", #"{"command":"exit 7"}"#),
            .text("Done."),
        ])
        try await AgentHarness.run(script) { h in
            let runID = h.warden.enqueue()
            let child = try ChildProcess("/usr/bin/unshare", [
                "--pid", "--fork", "--kill-child", "/usr/bin/env", "-i", "PATH=/usr/bin:/bin",
                "WARDEN_AGENT_SOCKET=\(h.agentSocket)", "WARDEN_PROXY_SOCKET=\(h.proxySocket)",
                "WARDEN_WORKSPACE=\(h.workspace)", "WARDEN_RELAY_LISTEN=off", "WARDEN_POLL_WAIT=1", binary.path,
            ], mergeStandardError: true)
            defer { if child.isRunning { child.signal(SIGKILL) } }
            _ = try await h.warden.completion(of: runID)
            let reports = h.warden.calls(runID, "tool-calls").compactMap { $0.json["output"] as? String }
            #expect(reports == ["orphaned\n[exit code 0]", "[exit code 7]"], "exit codes still reach their command")

            let agentPID = try #require(Self.children(of: child.pid).first, "unshare's child is the agent")
            var zombies: [Int32] = []
            for _ in 0..<250 {
                zombies = Self.children(of: agentPID).filter { Self.state(of: $0) == "Z" }
                if zombies.isEmpty && !Self.children(of: agentPID).contains(where: { Self.state(of: $0) != nil }) { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(zombies.isEmpty, "the orphan was reaped")

            kill(agentPID, SIGTERM)
            #expect(await child.waitForExit() == .exited(0))
        }
    }

    static let canRunInPIDNamespace: Bool = {
        var pid: pid_t = 0
        let arguments: [String] = ["/usr/bin/unshare", "--pid", "--fork", "/bin/true"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, "/usr/bin/unshare", nil, nil, argv, environ) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status == 0
    }()

    static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }
    }

    /// The one-letter state from /proc/PID/stat (R, S, Z, …), nil once the process is gone.
    static func state(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(end, offsetBy: 2)...].split(separator: " ").first.map(String.init)
    }

    @Test func versionAndBadArguments() async throws {
        let binary = try #require(BuiltExecutable.find("warden-agent"), "warden-agent is built")
        let version = try ChildProcess(binary.path, ["--version"])
        #expect(await version.waitForExit() == .exited(0))
        #expect(version.lines == ["warden-agent 0.1.0"])
        let bad = try ChildProcess(binary.path, ["--frobnicate"])
        #expect(await bad.waitForExit() == .exited(2))
        let badEnvironment = try ChildProcess("/usr/bin/env", ["-i", "WARDEN_BASH_TIMEOUT=soon", binary.path],
                                              mergeStandardError: true)
        #expect(await badEnvironment.waitForExit() == .exited(2))
        #expect(badEnvironment.lines.first?.contains("WARDEN_BASH_TIMEOUT") == true)
    }
}
