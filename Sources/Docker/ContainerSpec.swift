/// The body of `POST /containers/create`, limited to what Warden sets. Field names are Docker's.
public struct ContainerSpec: Encodable, Sendable, Equatable {
    public var Image: String
    public var Cmd: [String]?
    public var Entrypoint: [String]?
    public var Env: [String]
    public var User: String?
    public var WorkingDir: String?
    public var Labels: [String: String]
    public var NetworkDisabled: Bool?
    public var HostConfig: Host

    /// Also what `GET /containers/{id}/json` reports back as `HostConfig`.
    public struct Host: Codable, Sendable, Equatable {
        public var NetworkMode: String?
        public var ReadonlyRootfs: Bool?
        /// Mount point → options, e.g. "/tmp": "rw,noexec,nosuid,size=64m".
        public var Tmpfs: [String: String]?
        public var CapDrop: [String]?
        public var SecurityOpt: [String]?
        /// Bytes.
        public var Memory: Int64?
        public var MemorySwap: Int64?
        /// CPUs × 10⁹.
        public var NanoCpus: Int64?
        public var PidsLimit: Int64?
        public var Mounts: [Mount]?
        public var AutoRemove: Bool?
        public init() {}
    }

    public struct Mount: Codable, Sendable, Equatable {
        public var Target: String
        public var Source: String
        public var `Type`: String
        /// Docker omits it when false.
        public var ReadOnly: Bool?
        public init(bind source: String, at target: String, readOnly: Bool) {
            Source = source; Target = target; `Type` = "bind"; ReadOnly = readOnly
        }
    }

    public init(image: String, command: [String]? = nil, environment: [String] = [], user: String? = nil,
                labels: [String: String] = [:], host: Host = Host()) {
        Image = image; Cmd = command; Env = environment; User = user; Labels = labels; HostConfig = host
    }
}

/// The parts of `GET /containers/{id}/json` Warden reads.
public struct ContainerInspect: Decodable, Sendable {
    public var Id: String
    public var Name: String?
    public var State: State
    public var Config: Config
    public var HostConfig: ContainerSpec.Host
    public var Mounts: [MountPoint]?

    public struct State: Decodable, Sendable {
        public var Status: String
        public var Running: Bool
        public var ExitCode: Int?
        public var OOMKilled: Bool?
        public var Pid: Int?
    }

    public struct Config: Decodable, Sendable {
        public var Image: String?
        public var User: String?
        public var Env: [String]?
        public var Labels: [String: String]?
        public var Cmd: [String]?
    }

    public struct MountPoint: Decodable, Sendable {
        public var Source: String?
        public var Destination: String?
        public var RW: Bool?
    }
}

/// One entry of `GET /containers/json`.
public struct ContainerSummary: Decodable, Sendable {
    public var Id: String
    public var Names: [String]?
    public var State: String?
    public var Labels: [String: String]?
}

/// One message of `GET /events`.
public struct DockerEvent: Decodable, Sendable, Equatable {
    public var `Type`: String?
    public var Action: String?
    public var Actor: Actor?
    public var time: Int64?
    public var timeNano: Int64?

    public struct Actor: Decodable, Sendable, Equatable {
        public var ID: String?
        public var Attributes: [String: String]?
    }
}
