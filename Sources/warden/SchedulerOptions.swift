import ArgumentParser
import Docker
import Foundation
import HTTP
import Logging
import Scheduler

/// The options of `warden serve` that shape how agent containers run.
struct SchedulerOptions: ParsableArguments {
    @Option(name: .customLong("max-containers"), help: "Agent containers running at once, across all sessions.")
    var maxContainers: Int = 4

    @Option(name: .customLong("idle-timeout"), help: "Seconds a warm container with nothing to do is kept before it is stopped.")
    var idleTimeout: Int = 300

    @Option(name: .customLong("run-timeout"), help: "Seconds a run may take before it is failed and its container killed.")
    var runTimeout: Int = 1800

    @Option(name: .customLong("agent-image"), help: "The agent image (build it with deploy/agent-image/build.sh).")
    var agentImage: String = "warden-agent:latest"

    @Option(name: .customLong("docker-socket"), help: "The Docker Engine API socket (default: DOCKER_HOST=unix://… or /var/run/docker.sock).")
    var dockerSocket: String?

    func validate() throws {
        guard (1...1000).contains(maxContainers) else { throw ValidationError("--max-containers must be between 1 and 1000.") }
        guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1 second.") }
        guard runTimeout >= 1 else { throw ValidationError("--run-timeout must be at least 1 second.") }
    }

    var socketPath: String { dockerSocket ?? DockerClient.defaultSocketPath() }

    func configuration(dataDirectory: URL, instanceID: String) -> SchedulerConfiguration {
        var configuration = SchedulerConfiguration(dataDirectory: dataDirectory, instanceID: instanceID)
        configuration.maxContainers = maxContainers
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.runTimeout = .seconds(runTimeout)
        configuration.image = agentImage
        return configuration
    }

    /// Docker if it answers; otherwise a runtime whose every start fails with what to do, so
    /// the API still serves and runs fail with a clear error instead of waiting forever.
    func runtime(group: EventLoopGroup, logger: Logger) async -> any ContainerRuntime {
        do {
            let docker = try await DockerClient.connect(socketPath: socketPath, group: group)
            return DockerRuntime(docker: docker)
        } catch {
            logger.error("Docker is not reachable; runs will fail until it is. Start it (bash deploy/docker.sh) and restart warden; `warden doctor` checks the set-up.",
                         metadata: ["socket": "\(socketPath)", "error": "\(error)"])
            return UnavailableRuntime(reason: "Docker is not reachable at \(socketPath) (\(error)). Start it (bash deploy/docker.sh) and restart warden.")
        }
    }
}
