import Foundation
import Testing
@testable import Docker
import HTTP
import TestSupport

/// The Docker client against the real daemon (started by deploy/docker.sh).
/// Outside CI, without a daemon, these tests are skipped — and say so loudly. In CI they must run.
enum DockerAvailability {
    static let socket = DockerClient.defaultSocketPath()
    static let image = "warden-test/busybox:2"
    /// Asked once for the whole suite, so the skip is announced once.
    static let reachable = Task { await DockerDaemon.testsRun(socket: socket, suite: "Docker client tests") }

}

@Suite(.enabled("needs a Docker daemon (deploy/docker.sh)") { await DockerAvailability.reachable.value }, .serialized)
struct DockerClientTests {
    let group: EventLoopGroup
    let docker: DockerClient

    init() async throws {
        group = try EventLoopGroup(loopCount: 1)
        docker = try await DockerClient.connect(socketPath: DockerAvailability.socket, group: group)
    }

    func cleanup(_ ids: [String]) async {
        for id in ids { try? await docker.remove(id) }
        docker.shutdown()
        group.shutdown()
    }

    /// The hardened settings of SPEC §4, on the test image.
    func hardenedSpec(_ command: [String], label: String, workspace: String? = nil) -> ContainerSpec {
        var host = ContainerSpec.Host()
        host.NetworkMode = "none"
        host.ReadonlyRootfs = true
        host.Tmpfs = ["/tmp": "rw,noexec,nosuid,size=16m"]
        host.CapDrop = ["ALL"]
        host.SecurityOpt = ["no-new-privileges"]
        host.Memory = 64 * 1024 * 1024
        host.MemorySwap = 64 * 1024 * 1024
        host.NanoCpus = 500_000_000
        host.PidsLimit = 64
        if let workspace { host.Mounts = [.init(bind: workspace, at: "/out", readOnly: false)] }
        return ContainerSpec(image: DockerAvailability.image, command: command, user: "65534:65534",
                             labels: ["warden.session": label], host: host)
    }

    func scratchDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warden-docker-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o777])
        return dir.path
    }

    @Test func negotiatesTheAPIVersion() async throws {
        #expect(docker.apiVersion >= DockerClient.minimumVersion)
        #expect(docker.apiVersion <= DockerClient.maximumVersion)
        #expect(try await !docker.serverVersion().isEmpty)
        await cleanup([])
    }

    @Test func knowsWhichImagesExist() async throws {
        #expect(try await docker.imageExists(DockerAvailability.image))
        #expect(try await !docker.imageExists("warden-test/no-such-image:0"))
        await cleanup([])
    }

    @Test func hardenedSettingsAreAppliedAsAsked() async throws {
        let id = try await docker.create(hardenedSpec(["true"], label: "ses_inspect"))
        let info = try await docker.inspect(id)
        #expect(info.HostConfig.NetworkMode == "none")
        #expect(info.HostConfig.ReadonlyRootfs == true)
        #expect(info.HostConfig.Tmpfs?["/tmp"]?.contains("noexec") == true)
        #expect(info.HostConfig.CapDrop?.map { $0.uppercased() }.contains { $0 == "ALL" || $0 == "CAP_ALL" } == true)
        #expect(info.HostConfig.SecurityOpt == ["no-new-privileges"])
        #expect(info.HostConfig.Memory == Int64(64 << 20))
        #expect(info.HostConfig.NanoCpus == 500_000_000)
        #expect(info.HostConfig.PidsLimit == 64)
        #expect(info.Config.User == "65534:65534")
        #expect(info.Config.Labels?["warden.session"] == "ses_inspect")
        await cleanup([id])
    }

    @Test func waitRegisteredBeforeStartSeesTheExitCode() async throws {
        let id = try await docker.create(hardenedSpec(["sh", "-c", "exit 3"], label: "ses_wait"))
        let waiter = try await docker.beginWait(id) // returns once the daemon registered it
        try await docker.start(id)
        #expect(try await waiter.exitCode() == 3)
        await cleanup([id])
    }

    @Test func containerHasNoNetworkButLoopbackAndRunsAsNobody() async throws {
        let out = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let id = try await docker.create(hardenedSpec(
            ["sh", "-c", "ls /sys/class/net > /out/net; id -u > /out/uid; touch /probe 2>/out/rofs; echo done > /out/done"],
            label: "ses_net", workspace: out))
        let docker = self.docker
        let exit = Task { try await docker.wait(id) }
        try await Task.sleep(for: .milliseconds(100))
        try await docker.start(id)
        _ = try await exit.value
        let info = try await docker.inspect(id)
        let mount = try #require(info.HostConfig.Mounts?.first, "inspect reports the bind mount")
        #expect(mount.Source == out && mount.Target == "/out" && mount.Type == "bind")
        #expect(mount.ReadOnly != true, "Docker omits ReadOnly when false")
        let net = try String(contentsOfFile: out + "/net", encoding: .utf8)
        #expect(net.split(separator: "\n") == ["lo"], "interfaces: \(net)")
        #expect(try String(contentsOfFile: out + "/uid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "65534")
        #expect(try String(contentsOfFile: out + "/rofs", encoding: .utf8).contains("Read-only"), "the root filesystem is read-only")
        await cleanup([id])
    }

    @Test func killStopsARunningContainerAndIsQuietOnAStoppedOne() async throws {
        let id = try await docker.create(hardenedSpec(["sleep", "30"], label: "ses_kill"))
        let docker = self.docker
        let exit = Task { try await docker.wait(id) }
        try await Task.sleep(for: .milliseconds(100))
        try await docker.start(id)
        try await docker.kill(id)
        #expect(try await exit.value == 137)
        try await docker.kill(id) // not running any more: not an error
        await cleanup([id])
    }

    @Test func removeIsIdempotentAndInspectThenSaysNotFound() async throws {
        let id = try await docker.create(hardenedSpec(["true"], label: "ses_rm"))
        try await docker.remove(id)
        try await docker.remove(id)
        do {
            _ = try await docker.inspect(id)
            Issue.record("inspect of a removed container succeeded")
        } catch {
            guard case .notFound(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains(id.prefix(12)) || message.lowercased().contains("no such container"))
        }
        await cleanup([])
    }

    @Test func listsContainersByLabel() async throws {
        let label = "ses_list_\(UUID().uuidString.prefix(6))"
        let a = try await docker.create(hardenedSpec(["true"], label: label))
        let b = try await docker.create(hardenedSpec(["true"], label: label))
        let other = try await docker.create(hardenedSpec(["true"], label: "ses_other"))
        let found = Set(try await docker.list(label: "warden.session=\(label)").map(\.Id))
        #expect(found == [a, b])
        await cleanup([a, b, other])
    }

    @Test func daemonErrorsAreTypedWithTheDaemonsMessage() async throws {
        var spec = hardenedSpec(["true"], label: "ses_err")
        spec.Image = "warden-test/no-such-image:0"
        do {
            _ = try await docker.create(spec)
            Issue.record("create with a missing image succeeded")
        } catch {
            guard case .notFound(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.lowercased().contains("no such image"), "\(message)")
        }
        let name = "warden-test-\(UUID().uuidString.prefix(8))"
        let first = try await docker.create(hardenedSpec(["true"], label: "ses_err"), name: name)
        do {
            _ = try await docker.create(hardenedSpec(["true"], label: "ses_err"), name: name)
            Issue.record("a second container with the same name was created")
        } catch {
            guard case .conflict = error else { Issue.record("unexpected \(error)"); return }
        }
        await cleanup([first])
    }

    @Test func eventsReportStartAndDieForLabelledContainers() async throws {
        let label = "ses_events_\(UUID().uuidString.prefix(6))"
        let events = docker.events(label: "warden.session=\(label)")
        let collector = Task { () -> [String] in
            var actions: [String] = []
            for await event in events {
                if let action = event.Action { actions.append(action) }
                if actions.contains("die") { break }
            }
            return actions
        }
        try await Task.sleep(for: .milliseconds(300)) // the event stream is open
        let id = try await docker.create(hardenedSpec(["true"], label: label))
        try await docker.start(id)
        let timeout = Task { try await Task.sleep(for: .seconds(20)); collector.cancel() }
        let actions = await collector.value
        timeout.cancel()
        #expect(actions.contains("start"), "\(actions)")
        #expect(actions.contains("die"), "\(actions)")
        await cleanup([id])
    }
}

@Suite struct DockerClientOfflineTests {
    @Test func unreachableSocketIsAClearError() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        do {
            _ = try await DockerClient.connect(socketPath: "/nonexistent/docker.sock", group: group)
            Issue.record("connected to nothing")
        } catch {
            guard case .unreachable(let socket, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(socket == "/nonexistent/docker.sock")
            #expect(error.description.contains("Is dockerd running"))
        }
    }

    @Test func dockerHostSelectsTheSocket() {
        #expect(DockerClient.defaultSocketPath(environment: ["DOCKER_HOST": "unix:///run/user/1000/docker.sock"])
                == "/run/user/1000/docker.sock")
        #expect(DockerClient.defaultSocketPath(environment: [:]) == "/var/run/docker.sock")
        #expect(DockerClient.defaultSocketPath(environment: ["DOCKER_HOST": "tcp://1.2.3.4:2375"]) == "/var/run/docker.sock")
    }

    @Test func versionsCompare() {
        #expect(APIVersion("1.41")! < APIVersion("1.45")!)
        #expect(APIVersion("1.9")! < APIVersion("1.41")!)
        #expect(APIVersion("x") == nil)
    }
}
