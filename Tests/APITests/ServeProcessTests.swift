import Foundation
import HTTP
import Testing
import TestSupport

/// `warden serve` as a user runs it: the real binary, real sockets, real signals.
@Suite(.serialized) struct ServeProcessTests {
    static func wardenBinary() throws -> URL {
        guard let url = BuiltExecutable.find("warden") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "warden binary not built"])
        }
        return url
    }

    /// Runs warden with `arguments`, collecting its output lines.
    final class Running: Sendable {
        let child: ChildProcess

        init(_ arguments: [String]) throws {
            child = try ChildProcess(try ServeProcessTests.wardenBinary().path, arguments, mergeStandardError: true)
        }

        var output: [String] { child.lines }

        func waitForLine(containing text: String) async throws -> String {
            for _ in 0..<500 {
                if let line = output.first(where: { $0.contains(text) }) { return line }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "no line with '\(text)' in \(output)"])
        }

        /// The exit status; fails the test (and kills warden) if it does not exit within 20 s.
        func waitForExit() async throws -> Int32 {
            for _ in 0..<1000 where child.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            if child.isRunning {
                child.signal(SIGKILL)
                _ = await child.waitForExit()
                throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "warden did not exit"])
            }
            switch await child.waitForExit() {
            case .exited(let code): return code
            case .signalled(let signal): return 128 + signal
            }
        }
    }

    @Test func servesHealthAndStopsGracefullyOnSIGTERM() async throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("warden-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let warden = try Running(["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir.path, "--workers", "2"])
        let listening = try await warden.waitForLine(containing: "\"msg\":\"listening\"")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listening.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        let address = try SocketAddress(parsing: try #require(object["address"] as? String))

        let group = try EventLoopGroup(loopCount: 1)
        let client = HTTPClient(group: group)
        let health = try await client.execute(ClientRequest(target: "/healthz"), to: address)
        #expect(health.status == .ok)
        #expect(health.bodyString == "ok")
        let ready = try await client.execute(ClientRequest(target: "/readyz"), to: address)
        #expect(ready.status == .ok)
        #expect(ready.bodyString.contains("\"database\":\"ok\""))
        #expect(FileManager.default.fileExists(atPath: dataDir.appendingPathComponent("warden.db").path))

        // An idle keep-alive connection stays in the pool; SIGTERM must still end the process.
        warden.child.signal(SIGTERM)
        #expect(try await warden.waitForExit() == 0)
        #expect(warden.output.contains { $0.contains("\"msg\":\"stopped\"") })
        client.shutdown()
        group.shutdown()
    }

    @Test func helpListsServe() async throws {
        let warden = try Running(["--help"])
        #expect(try await warden.waitForExit() == 0)
        let text = warden.output.joined(separator: "\n")
        #expect(text.contains("serve"))
    }

    @Test func badListenAddressIsAClearError() async throws {
        let warden = try Running(["serve", "--listen", "localhost"])
        #expect(try await warden.waitForExit() != 0)
        let text = warden.output.joined(separator: "\n")
        #expect(text.contains("HOST:PORT"), "the message says what a valid address looks like: \(text)")
    }

    @Test func doctorSaysWhatToDoWhenDockerIsMissing() async throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("warden-doctor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let warden = try Running(["doctor", "--data-dir", dataDir.path, "--docker-socket", dataDir.path + "/none.sock"])
        #expect(try await warden.waitForExit() == 1)
        let text = warden.output.joined(separator: "\n")
        #expect(text.contains("ok    data dir"), "\(text)")
        #expect(text.contains("FAIL  docker"), "\(text)")
        #expect(text.contains("bash deploy/docker.sh"), "the fix is named: \(text)")
        #expect(text.contains("FAIL  image"), "\(text)")
    }

    @Test func serveWithoutDockerStillServesAndFailsRunsClearly() async throws {
        let dataDir = FileManager.default.temporaryDirectory.appendingPathComponent("warden-nodocker-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDir) }
        let warden = try Running(["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir.path,
                                  "--docker-socket", dataDir.path + "/none.sock"])
        let line = try await warden.waitForLine(containing: "Docker is not reachable")
        #expect(line.contains("deploy/docker.sh"))
        _ = try await warden.waitForLine(containing: "\"msg\":\"listening\"")
        warden.child.signal(SIGTERM)
        #expect(try await warden.waitForExit() == 0)
    }
}
