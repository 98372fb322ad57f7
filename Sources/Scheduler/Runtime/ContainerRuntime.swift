/// What the scheduler needs from a container engine. Docker is the implementation
/// (`DockerRuntime`); the protocol keeps the scheduler testable and the engine replaceable.
public protocol ContainerRuntime: Sendable {
    /// Creates and starts a session's container with the hardened settings of SPEC §4.
    /// The exit watch is registered before the container starts.
    func start(_ request: SessionContainer) async throws -> RunningContainer
    /// Stops (SIGKILL) and removes a container; a container already gone is not an error.
    func stop(_ containerID: String) async throws
    /// Every container this runtime labelled for `instance` (one warden's database), as container
    /// id → session id: after a restart, those warden no longer tracks are orphans.
    func labelledContainers(instance: String) async throws -> [String: String]
}

/// A session's container as the scheduler asks for it.
public struct SessionContainer: Sendable, Equatable {
    public var sessionID: String
    /// The warden instance (its database) that owns the container; other wardens on the same
    /// daemon leave it alone.
    public var instance: String
    public var image: String
    /// Host directory mounted read-write at /workspace; it outlives the container.
    public var workspace: String
    /// Host directory holding the session's agent.sock and proxy.sock, mounted at /run/warden.
    public var runDirectory: String
    /// The proxy's CA certificate, mounted read-only at /etc/warden/ca.crt.
    public var caCertificate: String?
    /// Never secrets: the container gets placeholders and the proxy injects the real values.
    public var environment: [String: String]
    public var command: [String]?
    public var limits: ContainerLimits
    /// Non-root user, uid:gid.
    public var user: String

    public init(sessionID: String, instance: String = "", image: String, workspace: String, runDirectory: String, caCertificate: String? = nil,
                environment: [String: String] = [:], command: [String]? = nil, limits: ContainerLimits = .init(),
                user: String = "65534:65534") {
        self.sessionID = sessionID; self.instance = instance; self.image = image; self.workspace = workspace; self.runDirectory = runDirectory
        self.caCertificate = caCertificate; self.environment = environment; self.command = command
        self.limits = limits; self.user = user
    }
}

public struct ContainerLimits: Sendable, Equatable {
    public var memoryBytes: Int64 = 1 << 30
    /// CPUs, e.g. 1.0 or 0.5.
    public var cpus: Double = 1.0
    public var pids: Int64 = 256
    public var tmpBytes: Int64 = 64 << 20
    public init() {}
}

/// A started container and a way to learn how it ended.
public struct RunningContainer: Sendable {
    public let id: String
    public let sessionID: String
    private let exit: @Sendable () async throws -> Int

    public init(id: String, sessionID: String, exit: @escaping @Sendable () async throws -> Int) {
        self.id = id
        self.sessionID = sessionID
        self.exit = exit
    }

    /// Waits for the container to exit and returns its status (137 when it was killed).
    public func exitCode() async throws -> Int { try await exit() }
}

public enum RuntimeLabels {
    /// Marks a container as Warden's, with the session it belongs to.
    public static let session = "warden.session"
    /// The warden instance that started it.
    public static let instance = "warden.instance"
}
