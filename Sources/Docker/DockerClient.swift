import Foundation
import HTTP
import Logging

/// The Docker Engine API over its unix socket, on Warden's own HTTP client. The API version is
/// negotiated once (`/_ping`, then `/version`) and every path is prefixed with it, so a newer
/// daemon answers in the dialect this client was written for.
public final class DockerClient: Sendable {
    /// Debian 12's docker.io (20.10) speaks 1.41; nothing older is supported.
    public static let minimumVersion = APIVersion(1, 41)
    public static let maximumVersion = APIVersion(1, 45)

    public let socketPath: String
    private let http: HTTPClient
    private let version: APIVersion

    /// `DOCKER_HOST=unix:///path` wins over `socketPath`.
    public static func defaultSocketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let host = environment["DOCKER_HOST"], host.hasPrefix("unix://") { return String(host.dropFirst(7)) }
        return "/var/run/docker.sock"
    }

    /// Connects and negotiates the API version; fails with `.unreachable` or `.unsupportedVersion`.
    public static func connect(socketPath: String = defaultSocketPath(), group: EventLoopGroup) async throws(DockerError) -> DockerClient {
        var configuration = HTTPClient.Configuration()
        configuration.idleTimeout = .seconds(60)
        let http = HTTPClient(group: group, configuration: configuration)
        let address = SocketAddress.unix(path: socketPath)
        let ping: ClientResponse
        do {
            ping = try await http.execute(ClientRequest(target: "/_ping"), to: address, idleTimeout: .seconds(10))
        } catch {
            throw .unreachable(socket: socketPath, reason: "\(error)")
        }
        guard ping.status == .ok else { throw .unreachable(socket: socketPath, reason: "/_ping answered \(ping.status.code)") }
        var server = ping.headers["API-Version"].flatMap(APIVersion.init)
        if server == nil {
            let response = try await Self.send(http, address, ClientRequest(target: "/version"))
            server = DockerJSON.decode(VersionBody.self, response.body).flatMap { APIVersion($0.ApiVersion) }
        }
        guard let server else { throw .protocolError("the daemon did not say which API version it speaks") }
        guard server >= minimumVersion else {
            throw .unsupportedVersion(server: server.description, minimum: minimumVersion.description)
        }
        return DockerClient(socketPath: socketPath, http: http, version: min(server, maximumVersion))
    }

    private init(socketPath: String, http: HTTPClient, version: APIVersion) {
        self.socketPath = socketPath
        self.http = http
        self.version = version
    }

    public var apiVersion: APIVersion { version }

    public func shutdown() { http.shutdown() }

    // MARK: system

    public func serverVersion() async throws(DockerError) -> String {
        let response = try await call("GET", "/version")
        return DockerJSON.decode(VersionBody.self, response.body)?.Version ?? "unknown"
    }

    // MARK: images

    /// Whether the image exists locally; Warden never pulls.
    public func imageExists(_ name: String) async throws(DockerError) -> Bool {
        do {
            _ = try await call("GET", "/images/\(DockerJSON.query(name))/json")
            return true
        } catch .notFound {
            return false
        }
    }

    // MARK: containers

    /// Creates a container; returns its id.
    public func create(_ spec: ContainerSpec, name: String? = nil) async throws(DockerError) -> String {
        let query = name.map { "?name=\(DockerJSON.query($0))" } ?? ""
        let response = try await call("POST", "/containers/create\(query)", json: DockerJSON.encode(spec))
        guard let created = DockerJSON.decode(CreatedBody.self, response.body) else {
            throw .protocolError("create answered without an Id")
        }
        return created.Id
    }

    public func start(_ id: String) async throws(DockerError) {
        _ = try await call("POST", "/containers/\(id)/start", json: [])
    }

    /// Registers a wait for the container's next exit and returns once the daemon has: it sends
    /// the response head only after registering the waiter (API ≥ 1.30). Call it before `start`,
    /// then read the exit code from the returned waiter; an exit right after start cannot be missed.
    public func beginWait(_ id: String, condition: String = "next-exit") async throws(DockerError) -> ContainerWaiter {
        let request = ClientRequest(method: "POST", target: "/v\(version)/containers/\(id)/wait?condition=\(condition)",
                                    headers: ["Content-Type": "application/json"])
        let head: ResponseHead
        let body: ClientBodyStream
        do {
            (head, body) = try await http.stream(request, to: .unix(path: socketPath), idleTimeout: .some(nil))
        } catch {
            throw .unreachable(socket: socketPath, reason: "\(error)")
        }
        guard head.status == .ok else {
            let bytes = (try? await body.collect()) ?? []
            throw DockerError.from(status: head.status.code, body: bytes)
        }
        return ContainerWaiter(body: body)
    }

    /// Waits for the container's next exit and returns its status code.
    public func wait(_ id: String, condition: String = "next-exit") async throws(DockerError) -> Int {
        try await beginWait(id, condition: condition).exitCode()
    }

    /// Sends a signal; a container that is not running is not an error.
    public func kill(_ id: String, signal: String = "SIGKILL") async throws(DockerError) {
        do {
            _ = try await call("POST", "/containers/\(id)/kill?signal=\(signal)", json: [])
        } catch .conflict {
            return
        }
    }

    /// Removes the container (and its anonymous volumes); a missing one is not an error.
    public func remove(_ id: String, force: Bool = true) async throws(DockerError) {
        do {
            _ = try await call("DELETE", "/containers/\(id)?force=\(force)&v=true")
        } catch .notFound {
            return
        }
    }

    public func inspect(_ id: String) async throws(DockerError) -> ContainerInspect {
        let response = try await call("GET", "/containers/\(id)/json")
        do {
            return try JSONDecoder().decode(ContainerInspect.self, from: Data(response.body))
        } catch {
            throw .protocolError("inspect: \(error)")
        }
    }

    /// Containers (running or not) that carry `label` (`key` or `key=value`).
    public func list(label: String) async throws(DockerError) -> [ContainerSummary] {
        let response = try await call("GET", "/containers/json?all=true&filters=\(DockerJSON.filters(["label": [label]]))")
        return DockerJSON.decode([ContainerSummary].self, response.body) ?? []
    }

    // MARK: events

    /// Container events for `label`, reconnecting (from the last event's time) when the stream
    /// breaks, until the consuming task is cancelled.
    public func events(label: String, logger: Logger = Logger(label: "warden.docker")) -> AsyncStream<DockerEvent> {
        AsyncStream { continuation in
            let task = Task {
                var since = Int64(Date().timeIntervalSince1970)
                while !Task.isCancelled {
                    do throws(DockerError) {
                        try await streamEvents(label: label, since: since) { event in
                            if let t = event.time { since = t }
                            continuation.yield(event)
                        }
                    } catch {
                        if Task.isCancelled { break } // the consumer went away: not a failure
                        logger.warning("docker event stream broke; reconnecting", metadata: ["error": "\(error)"])
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func streamEvents(label: String, since: Int64, _ body: (DockerEvent) -> Void) async throws(DockerError) {
        let filters = DockerJSON.filters(["type": ["container"], "label": [label]])
        let request = ClientRequest(target: "/v\(version)/events?since=\(since)&filters=\(filters)")
        let head: ResponseHead
        let stream: ClientBodyStream
        do {
            (head, stream) = try await http.stream(request, to: .unix(path: socketPath), idleTimeout: .some(nil))
        } catch {
            throw .unreachable(socket: socketPath, reason: "\(error)")
        }
        guard head.status == .ok else { throw DockerError.daemon(status: head.status.code, message: "events") }
        var buffer: [UInt8] = []
        do {
            while let chunk = try await stream.next() {
                buffer.append(contentsOf: chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = Array(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    if let event = DockerJSON.decode(DockerEvent.self, line) { body(event) }
                }
            }
        } catch {
            throw .unreachable(socket: socketPath, reason: "event stream: \(error)")
        }
    }

    // MARK: plumbing

    private func call(_ method: String, _ path: String, json: [UInt8]? = nil,
                      idleTimeout: Duration?? = .some(.seconds(60))) async throws(DockerError) -> ClientResponse {
        var headers: HTTPHeaders = [:]
        if json != nil { headers.add("Content-Type", "application/json") }
        let request = ClientRequest(method: method, target: "/v\(version)\(path)", headers: headers, body: json ?? [])
        let response = try await Self.send(http, .unix(path: socketPath), request, idleTimeout: idleTimeout)
        guard (200..<300).contains(response.status.code) || response.status.code == 304 else {
            throw DockerError.from(status: response.status.code, body: response.body)
        }
        return response
    }

    private static func send(_ http: HTTPClient, _ address: SocketAddress, _ request: ClientRequest,
                             idleTimeout: Duration?? = .some(.seconds(60))) async throws(DockerError) -> ClientResponse {
        do {
            return try await http.execute(request, to: address, idleTimeout: idleTimeout)
        } catch {
            guard case .unix(let path) = address else { throw .protocolError("\(error)") }
            throw .unreachable(socket: path, reason: "\(error)")
        }
    }

    struct VersionBody: Decodable { var Version: String?; var ApiVersion: String }
    struct CreatedBody: Decodable { var Id: String }
    struct WaitBody: Decodable { var StatusCode: Int }
}

/// A registered wait; `exitCode()` returns when the container exits.
public struct ContainerWaiter: Sendable {
    let body: ClientBodyStream

    public func exitCode() async throws(DockerError) -> Int {
        let bytes: [UInt8]
        do { bytes = try await body.collect() } catch { throw .protocolError("wait: \(error)") }
        guard let result = DockerJSON.decode(DockerClient.WaitBody.self, bytes) else {
            throw .protocolError("wait answered without StatusCode")
        }
        return result.StatusCode
    }
}

/// An Engine API version such as 1.41.
public struct APIVersion: Sendable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public init(_ major: Int, _ minor: Int) { self.major = major; self.minor = minor }
    public init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        self.init(a, b)
    }
    public var description: String { "\(major).\(minor)" }
    public static func < (l: APIVersion, r: APIVersion) -> Bool { (l.major, l.minor) < (r.major, r.minor) }
}
