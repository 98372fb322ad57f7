import ArgumentParser
import Docker
import Foundation
import HTTP
import Logging
import Store

/// `warden doctor`: whether this machine can run agents, and what to do about anything that is missing.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check Docker, the agent image and the data directory, and say what to do about each problem.")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var agents: SchedulerOptions

    struct Check {
        let name: String
        let ok: Bool
        let detail: String
        /// What to do when it is not ok.
        let fix: String?
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: .critical) }
        var checks: [Check] = [checkDataDirectory()]
        checks += await checkDocker()
        for check in checks {
            print("\(check.ok ? "ok  " : "FAIL")  \(check.name.padding(toLength: 10, withPad: " ", startingAt: 0))  \(check.detail)")
            if !check.ok, let fix = check.fix { print("      \(String(repeating: " ", count: 10))  → \(fix)") }
        }
        if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    private func checkDataDirectory() -> Check {
        let path = data.url.path
        do {
            let database = try data.openDatabase()
            let version = (try? database.readSync { try $0.queryOne("SELECT max(version) FROM schema_migrations")?.get(at: 0, as: Int64.self) }) ?? 0
            database.closeSync()
            guard access(path, W_OK) == 0 else {
                return Check(name: "data dir", ok: false, detail: "\(path) is not writable",
                             fix: "give the user running warden write access, or pass --data-dir")
            }
            return Check(name: "data dir", ok: true, detail: "\(path) (schema v\(version))", fix: nil)
        } catch {
            return Check(name: "data dir", ok: false, detail: "\(path): \(error)",
                         fix: "check the path and its permissions, or pass --data-dir")
        }
    }

    private func checkDocker() async -> [Check] {
        let socket = agents.socketPath
        guard let group = try? EventLoopGroup(loopCount: 1) else {
            return [Check(name: "docker", ok: false, detail: "could not start an event loop", fix: nil)]
        }
        defer { group.shutdown() }
        let docker: DockerClient
        do {
            docker = try await DockerClient.connect(socketPath: socket, group: group)
        } catch {
            return [Check(name: "docker", ok: false, detail: "\(socket): \(error)",
                          fix: "start Docker: bash deploy/docker.sh (installs docker.io and starts dockerd), or set --docker-socket / DOCKER_HOST"),
                    Check(name: "image", ok: false, detail: "\(agents.agentImage): unknown (Docker is not reachable)",
                          fix: "start Docker first")]
        }
        defer { docker.shutdown() }
        let version = (try? await docker.serverVersion()) ?? "?"
        var checks = [Check(name: "docker", ok: true, detail: "\(socket), engine \(version), API \(docker.apiVersion)", fix: nil)]
        do {
            let exists = try await docker.imageExists(agents.agentImage)
            checks.append(Check(name: "image", ok: exists, detail: "\(agents.agentImage)\(exists ? "" : " is not built")",
                                fix: "build it: bash deploy/agent-image/build.sh"))
        } catch {
            checks.append(Check(name: "image", ok: false, detail: "\(agents.agentImage): \(error)",
                                fix: "build it: bash deploy/agent-image/build.sh"))
        }
        return checks
    }
}
