import Docker

/// `ContainerRuntime` on the Docker Engine API, with every setting of SPEC §4: network `none`,
/// read-only root with a small tmpfs /tmp, all capabilities dropped, no-new-privileges, a non-root
/// user, memory/CPU/PID limits, the `warden.session` label, and only three mounts from the host.
public struct DockerRuntime: ContainerRuntime {
    let docker: DockerClient

    public init(docker: DockerClient) { self.docker = docker }

    public func start(_ request: SessionContainer) async throws -> RunningContainer {
        let spec = Self.spec(for: request)
        let id = try await docker.create(spec)
        do {
            let waiter = try await docker.beginWait(id)
            try await docker.start(id)
            return RunningContainer(id: id, sessionID: request.sessionID) { try await waiter.exitCode() }
        } catch {
            try? await docker.remove(id)
            throw error
        }
    }

    public func stop(_ containerID: String) async throws {
        try await docker.kill(containerID)
        try await docker.remove(containerID)
    }

    public func labelledContainers(instance: String) async throws -> [String: String] {
        var out: [String: String] = [:]
        for container in try await docker.list(label: "\(RuntimeLabels.instance)=\(instance)") {
            out[container.Id] = container.Labels?[RuntimeLabels.session] ?? ""
        }
        return out
    }

    static func spec(for request: SessionContainer) -> ContainerSpec {
        var host = ContainerSpec.Host()
        host.NetworkMode = "none"
        host.ReadonlyRootfs = true
        // mode=1777: a tmpfs is root-owned 0755 otherwise, and the agent runs as a non-root user.
        host.Tmpfs = ["/tmp": "rw,noexec,nosuid,nodev,mode=1777,size=\(request.limits.tmpBytes)"]
        host.CapDrop = ["ALL"]
        host.SecurityOpt = ["no-new-privileges"]
        host.Memory = request.limits.memoryBytes
        host.MemorySwap = request.limits.memoryBytes // no swap beyond the memory limit
        host.NanoCpus = Int64(request.limits.cpus * 1_000_000_000)
        host.PidsLimit = request.limits.pids
        var mounts: [ContainerSpec.Mount] = [
            .init(bind: request.workspace, at: "/workspace", readOnly: false),
            .init(bind: request.runDirectory, at: "/run/warden", readOnly: false),
        ]
        if let ca = request.caCertificate { mounts.append(.init(bind: ca, at: "/etc/warden/ca.crt", readOnly: true)) }
        host.Mounts = mounts
        var spec = ContainerSpec(image: request.image, command: request.command,
                                 environment: request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
                                 user: request.user, labels: [RuntimeLabels.session: request.sessionID, RuntimeLabels.instance: request.instance], host: host)
        spec.WorkingDir = "/workspace"
        spec.NetworkDisabled = true
        return spec
    }
}
