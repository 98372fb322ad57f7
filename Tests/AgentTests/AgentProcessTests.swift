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
