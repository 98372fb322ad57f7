import Foundation
import Testing
@testable import Docker
import HTTP
@testable import Scheduler
import TestSupport

/// The hardened settings of SPEC §4, checked where they take effect: through `docker inspect`
/// and from inside the container. Needs the Docker daemon (deploy/docker.sh); outside CI the
/// suite is skipped loudly when there is none.
@Suite(.enabled("needs a Docker daemon (deploy/docker.sh)") { await RuntimeDocker.available.value }, .serialized)
struct DockerRuntimeTests {
    func withRuntime(_ body: (DockerRuntime, DockerClient, URL) async throws -> Void) async throws {
        let group = try EventLoopGroup(loopCount: 1)
        let docker = try await DockerClient.connect(group: group)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("warden-runtime-\(UUID().uuidString.prefix(8))")
        for dir in ["workspace", "run"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o777])
        }
        try Data("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n".utf8)
            .write(to: root.appendingPathComponent("ca.crt"))
        do {
            try await body(DockerRuntime(docker: docker), docker, root)
        } catch {
            try? FileManager.default.removeItem(at: root)
            docker.shutdown(); group.shutdown()
            throw error
        }
        try? FileManager.default.removeItem(at: root)
        docker.shutdown()
        group.shutdown()
    }

    func request(_ root: URL, session: String, command: [String]) -> SessionContainer {
        var limits = ContainerLimits()
        limits.memoryBytes = 128 << 20
        limits.cpus = 0.5
        limits.pids = 64
        limits.tmpBytes = 8 << 20
        return SessionContainer(sessionID: session, instance: "test-instance", image: "warden-test/busybox:2",
                                workspace: root.appendingPathComponent("workspace").path,
                                runDirectory: root.appendingPathComponent("run").path,
                                caCertificate: root.appendingPathComponent("ca.crt").path,
                                environment: ["HTTPS_PROXY": "http://127.0.0.1:3128", "ANTHROPIC_API_KEY": "placeholder"],
                                command: command, limits: limits)
    }

    @Test func everyHardenedSettingIsInEffect() async throws {
        try await withRuntime { runtime, docker, root in
            let session = "ses_runtime_\(UUID().uuidString.prefix(6))"
            let container = try await runtime.start(request(root, session: session, command: ["sleep", "30"]))
            let info = try await docker.inspect(container.id)
            let host = info.HostConfig
            #expect(host.NetworkMode == "none")
            #expect(host.ReadonlyRootfs == true)
            let tmp = try #require(host.Tmpfs?["/tmp"])
            #expect(tmp.contains("noexec") && tmp.contains("nosuid") && tmp.contains("mode=1777") && tmp.contains("size=8388608"), "\(tmp)")
            #expect(host.CapDrop?.contains { $0.uppercased().hasSuffix("ALL") } == true, "\(String(describing: host.CapDrop))")
            #expect(host.SecurityOpt == ["no-new-privileges"])
            #expect(host.Memory == Int64(128 << 20))
            #expect(host.MemorySwap == Int64(128 << 20))
            #expect(host.NanoCpus == 500_000_000)
            #expect(host.PidsLimit == 64)
            #expect(info.Config.User == "65534:65534")
            #expect(info.Config.Labels?[RuntimeLabels.session] == session)
            // Exactly three mounts from the host, the CA read-only.
            let mounts = Dictionary(uniqueKeysWithValues: (info.Mounts ?? []).map { ($0.Destination ?? "", $0) })
            #expect(Set(mounts.keys) == ["/workspace", "/run/warden", "/etc/warden/ca.crt"], "\(mounts.keys)")
            #expect(mounts["/workspace"]?.RW == true)
            #expect(mounts["/run/warden"]?.RW == true)
            #expect(mounts["/etc/warden/ca.crt"]?.RW == false)
            // The environment is what we passed (Docker adds only PATH).
            let env = Set(info.Config.Env ?? []).filter { !$0.hasPrefix("PATH=") }
            #expect(env == ["HTTPS_PROXY=http://127.0.0.1:3128", "ANTHROPIC_API_KEY=placeholder"])
            // Listed for recovery while it exists; gone after stop, which kills it (137).
            #expect(try await runtime.labelledContainers(instance: "test-instance")[container.id] == session)
            try await runtime.stop(container.id)
            #expect(try await container.exitCode() == 137)
            #expect(try await runtime.labelledContainers(instance: "test-instance")[container.id] == nil)
        }
    }

    @Test func insideTheContainerTheLimitsHold() async throws {
        try await withRuntime { runtime, _, root in
            let script = """
                ls /sys/class/net > /workspace/net
                id -u > /workspace/uid
                busybox grep -E '^(CapEff|NoNewPrivs)' /proc/self/status > /workspace/status
                touch /rootfs-probe 2> /workspace/rofs && echo writable > /workspace/rofs
                touch /tmp/probe && echo ok > /workspace/tmp
                cp /bin/busybox /tmp/exe 2>/dev/null; /tmp/exe true 2> /workspace/noexec && echo ran > /workspace/noexec
                cat /etc/warden/ca.crt > /workspace/ca
                touch /etc/warden/ca.crt 2> /workspace/ca-ro && echo writable > /workspace/ca-ro
                exit 0
                """
            let container = try await runtime.start(request(root, session: "ses_inside", command: ["sh", "-c", script]))
            #expect(try await container.exitCode() == 0)
            func read(_ name: String) throws -> String {
                try String(contentsOf: root.appendingPathComponent("workspace/\(name)"), encoding: .utf8)
            }
            #expect(try read("net").split(separator: "\n") == ["lo"], "only loopback")
            #expect(try read("uid").trimmingCharacters(in: .whitespacesAndNewlines) == "65534", "not root")
            let status = try read("status")
            #expect(status.contains("CapEff:\t0000000000000000"), "no capabilities: \(status)")
            #expect(status.contains("NoNewPrivs:\t1"), "\(status)")
            #expect(try read("rofs").contains("Read-only"), "read-only root filesystem")
            #expect(try read("tmp").contains("ok"), "/tmp is writable by the non-root user")
            #expect(try !read("noexec").contains("ran"), "/tmp is noexec")
            #expect(try read("ca").contains("BEGIN CERTIFICATE"), "the CA is readable")
            #expect(try read("ca-ro").contains("Read-only"), "the CA mount is read-only")
            try await runtime.stop(container.id)
        }
    }
}

enum RuntimeDocker {
    /// Asked once for the whole suite, so the skip is announced once.
    static let available = Task { await DockerDaemon.testsRun(socket: DockerClient.defaultSocketPath(), suite: "container runtime tests") }
}
