import Foundation
import Logging
import Synchronization
import Testing
@testable import API
@testable import Core
import HTTP
import CredentialProxy
import Store
import TestSupport

// MARK: errors and deadlines

/// Runs `operation` and gives up after `seconds`. The operation runs in its own task, so an
/// operation that cannot be cancelled (a read on a socket) still cannot hang the test; it ends
/// when the fixture stops the server.
func withDeadline<T: Sendable>(_ seconds: Double, _ what: String = "operation",
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = Once<T>()
    let work = Task {
        do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
    }
    let timer = Task {
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        guard !Task.isCancelled else { return }
        once.resume(.failure(TestFailure("\(what) did not finish within \(seconds) s")))
        work.cancel()
    }
    defer { timer.cancel() }
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        once.set(continuation)
    }
}

private final class Once<T: Sendable>: Sendable {
    private let state = Mutex<(CheckedContinuation<T, any Error>?, Result<T, any Error>?)>((nil, nil))
    func set(_ c: CheckedContinuation<T, any Error>) {
        let early = state.withLock { s -> Result<T, any Error>? in
            if let r = s.1 { s.1 = nil; return r }
            s.0 = c
            return nil
        }
        if let early { c.resume(with: early) }
    }
    private let done = Atomic<Bool>(false)
    func resume(_ result: Result<T, any Error>) {
        guard done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let c = state.withLock { s -> CheckedContinuation<T, any Error>? in
            guard let c = s.0 else { s.1 = result; return nil }
            s.0 = nil
            return c
        }
        c?.resume(with: result)
    }
}

// MARK: JSON

extension JSONValue {
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
    subscript(_ key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
    subscript(_ index: Int) -> JSONValue? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var int: Int? {
        switch self {
        case .integer(let i): return Int(i)
        case .number(let n): return Int(n)
        default: return nil
        }
    }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    var isNull: Bool { self == .null }
}

// MARK: keys and replies

struct TestKey: Sendable, CustomStringConvertible {
    var id: String
    var secret: String
    var role: Role
    var description: String { "\(role.rawValue) key \(id)" }
}

struct Reply: Sendable, CustomStringConvertible {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue { JSONValue.parse(body) ?? .null }
    var errorType: String? { json["error"]?["type"]?.string }
    var errorCode: String? { json["error"]?["code"]?.string }
    var errorParam: String? { json["error"]?["param"]?.string }
    var id: String { json["id"]?.string ?? "" }
    /// The ids of a list envelope's `data`.
    var ids: [String] { json["data"]?.array?.compactMap { $0["id"]?.string } ?? [] }
    var description: String { "\(status) \(text.prefix(600))" }
}

// MARK: a server over a real database

/// Database + core + router + HTTP server + client: what `warden serve` wires together.
final class APIServer: Sendable {
    let database: Database
    let core: WardenCore
    let group: EventLoopGroup
    let server: HTTPServer
    let client: HTTPClient
    let address: SocketAddress
    let routes: [Router.Route]
    let credentials: CredentialStore

    /// `store` is the database's configuration; its logger is replaced by a silent one.
    init(dbPath: String, bus: EventBus = EventBus(), pingInterval: Duration = .milliseconds(100),
         store: Database.Configuration = Database.Configuration(), bootstrapSecret: String,
         masterKey: MasterKey) async throws {
        var store = store
        store.logger = Logger(label: "test.store", factory: { _ in SwiftLogNoOpLogHandler() })
        database = try Database(path: dbPath, configuration: store, migrations: WardenSchema.migrations)
        core = WardenCore(database: database, bus: bus)
        try await core.loadKeys(bootstrapSecret: bootstrapSecret)
        try await core.expireApprovals(all: true) // what start-up does
        var configuration = APIConfiguration()
        configuration.pingInterval = pingInterval
        credentials = CredentialStore(core: core, vault: Vault(masterKey: masterKey))
        group = try EventLoopGroup(loopCount: 2)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.idleTimeout = .seconds(10)
        client = HTTPClient(group: group, configuration: clientConfiguration)
        // The same client fetches Teams' and Google Chat's keys (from a local JWKS server in tests).
        let router = APIRouter.make(core: core, credentials: credentials, configuration: configuration,
                                    channelKeyClient: client, logger: Logger(label: "test.api"))
        routes = router.routes
        server = HTTPServer(group: group, handler: router, logger: Logger(label: "test.http"))
        address = try server.listen(.tcp(host: "127.0.0.1", port: 0)).address
    }

    func stop() async {
        client.shutdown()
        await server.shutdown(grace: .seconds(2))
        await database.close()
        group.shutdown()
    }
}

/// A fresh data directory with a running server and one key per role (plus a second client).
final class APIFixture: Sendable {
    let directory: URL
    let dbPath: String
    let api: APIServer
    let admin: TestKey
    let operatorKey: TestKey
    let approver: TestKey
    let client: TestKey
    let client2: TestKey
    /// The vault's key, kept across `restarted()` as `master.key` is across restarts of warden.
    let masterKey: MasterKey
    static let bootstrapSecret = "wk_test_bootstrap_admin_secret_0123456789"

    private init(directory: URL, api: APIServer, keys: [TestKey], masterKey: MasterKey) {
        self.directory = directory
        self.masterKey = masterKey
        self.dbPath = directory.appendingPathComponent("warden.db").path
        self.api = api
        admin = keys[0]; operatorKey = keys[1]; approver = keys[2]; client = keys[3]; client2 = keys[4]
    }

    static func make(bus: EventBus = EventBus(), pingInterval: Duration = .milliseconds(100),
                     store: Database.Configuration = Database.Configuration()) async throws -> APIFixture {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("warden-api-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let masterKey = MasterKey.random()
        let api = try await APIServer(dbPath: directory.appendingPathComponent("warden.db").path, bus: bus,
                                      pingInterval: pingInterval, store: store, bootstrapSecret: bootstrapSecret,
                                      masterKey: masterKey)
        var keys: [TestKey] = []
        for (role, name) in [(Role.admin, "admin"), (.operator, "operator"), (.approver, "approver"),
                             (.client, "client"), (.client, "client2")] {
            let (key, secret) = try await api.core.write { tx in try tx.createKey(role: role, name: name, createdBy: nil) }
            keys.append(TestKey(id: key.id, secret: secret, role: role))
        }
        return APIFixture(directory: directory, api: api, keys: keys, masterKey: masterKey)
    }

    /// Stops this server and its core, then opens the same database file with a new core and
    /// server: a restart. The returned fixture has the same keys.
    func restarted(bus: EventBus = EventBus()) async throws -> APIFixture {
        await api.stop()
        let api = try await APIServer(dbPath: dbPath, bus: bus, pingInterval: .milliseconds(100),
                                      bootstrapSecret: Self.bootstrapSecret, masterKey: masterKey)
        return APIFixture(directory: directory, api: api, keys: [admin, operatorKey, approver, client, client2],
                          masterKey: masterKey)
    }

    func stop() async { await api.stop() }
    func remove() { try? FileManager.default.removeItem(at: directory) }

    var core: WardenCore { api.core }
    var keys: [TestKey] { [admin, operatorKey, approver, client] }
    func key(_ role: Role) -> TestKey {
        switch role {
        case .admin: return admin
        case .operator: return operatorKey
        case .approver: return approver
        case .client: return client
        }
    }

    // MARK: requests

    func headers(_ key: TestKey?, _ extra: [(String, String)], hasBody: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let key { headers.add("Authorization", "Bearer \(key.secret)") }
        if hasBody, !extra.contains(where: { $0.0.lowercased() == "content-type" }) {
            headers.add("Content-Type", "application/json")
        }
        for (name, value) in extra { headers.add(name, value) }
        return headers
    }

    func send(_ method: String, _ path: String, as key: TestKey?, json: String? = nil, body: [UInt8]? = nil,
              headers extra: [(String, String)] = []) async throws -> Reply {
        let bytes = body ?? json.map { Array($0.utf8) } ?? []
        let request = ClientRequest(method: method, target: path,
                                    headers: headers(key, extra, hasBody: !bytes.isEmpty), body: bytes)
        let client = api.client, address = api.address
        let response = try await withDeadline(15, "\(method) \(path)") {
            try await client.execute(request, to: address)
        }
        let reply = Reply(status: response.status.code, headers: response.headers, body: response.body)
        #expect(reply.headers["X-Request-Id"]?.hasPrefix("req_") == true, "\(method) \(path) has an X-Request-Id")
        return reply
    }

    func get(_ path: String, as key: TestKey?) async throws -> Reply { try await send("GET", path, as: key) }
    func post(_ path: String, as key: TestKey?, json: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        try await send("POST", path, as: key, json: json, headers: headers)
    }

    /// Opens an event stream and returns once its head arrived.
    func openStream(_ path: String, as key: TestKey?, lastEventID: Int? = nil,
                    headers extra: [(String, String)] = []) async throws -> SSEStream {
        var extra = extra
        if let lastEventID { extra.append(("Last-Event-ID", String(lastEventID))) }
        let request = ClientRequest(method: "GET", target: path, headers: headers(key, extra, hasBody: false))
        let client = api.client, address = api.address
        let (head, body) = try await withDeadline(10, "opening \(path)") {
            try await client.stream(request, to: address, idleTimeout: .some(nil))
        }
        return SSEStream(status: head.status.code, headers: head.headers, body: body)
    }

    /// A request that may answer with an event stream: for 200 the stream is dropped after the
    /// head, otherwise the body is read.
    func sendMaybeStreaming(_ method: String, _ path: String, as key: TestKey?, json: String?,
                            headers extra: [(String, String)] = []) async throws -> Reply {
        guard method == "GET", path.hasSuffix("/events") else {
            return try await send(method, path, as: key, json: json, headers: extra)
        }
        let stream = try await openStream(path, as: key, headers: extra)
        if stream.status == 200 {
            #expect(stream.headers["Content-Type"] == "text/event-stream")
            let first = try await stream.nextComment(within: 5)
            #expect(first == "connected")
            stream.close()
            return Reply(status: 200, headers: stream.headers, body: [])
        }
        let bytes = try await stream.readToEnd(within: 5)
        return Reply(status: stream.status, headers: stream.headers, body: bytes)
    }

    // MARK: shortcuts through the API

    func createSession(as key: TestKey, json: String = "{}") async throws -> String {
        let reply = try await post("/v1/sessions", as: key, json: json)
        guard reply.status == 201 else { throw TestFailure("create session: \(reply)") }
        return reply.id
    }

    /// Posts a user message; returns the message and run ids.
    func postMessage(_ session: String, _ text: String = "hello", as key: TestKey) async throws -> (message: String, run: String) {
        let reply = try await post("/v1/sessions/\(session)/messages", as: key,
                                   json: #"{"content":\#(JSONValue.string(text).encodedText)}"#)
        guard reply.status == 201 else { throw TestFailure("post message: \(reply)") }
        return (reply.id, reply.json["run"]?["id"]?.string ?? "")
    }

    func requestApproval(_ session: String, run: String? = nil, expiresIn: Double = 180) async throws -> Approval {
        try await core.requestApproval(
            session: session, run: run, kind: "http_request", summary: "POST api.example.com/v1/charge",
            request: ApprovalRequestDetails(method: "POST", host: "api.example.com", path: "/v1/charge",
                                            headers: ["content-type": "application/json"], body_preview: "{\"amount\":5}"),
            expiresIn: expiresIn)
    }

    /// Rows of `table` matching `condition`, counted in the database itself.
    func count(_ table: String, where condition: String = "1", _ bindings: [SQLValue] = []) async throws -> Int {
        let n: Int64 = try await core.read { db in
            try db.queryOne("SELECT count(*) AS n FROM \(table) WHERE \(condition)", bindings)?.get("n") ?? 0
        }
        return Int(n)
    }

    /// The stored events of a session, in order.
    func storedEvents(_ session: String) async throws -> [EventRecord] {
        try await core.read { try EventRepository($0).after(session: session, sessionSeq: 0, limit: 10_000) }
    }
}

/// Runs `body` with a fresh fixture and stops it whatever happens.
func withFixture<R>(bus: EventBus = EventBus(), pingInterval: Duration = .milliseconds(100),
                    store: Database.Configuration = Database.Configuration(),
                    _ body: (APIFixture) async throws -> R) async throws -> R {
    let fixture = try await APIFixture.make(bus: bus, pingInterval: pingInterval, store: store)
    do {
        let result = try await body(fixture)
        await fixture.stop()
        fixture.remove()
        return result
    } catch {
        await fixture.stop()
        fixture.remove()
        throw error
    }
}

// MARK: server-sent events

struct SSEEvent: Sendable, Equatable, CustomStringConvertible {
    var id: Int?
    var event: String?
    var data: String
    var json: JSONValue { JSONValue.parse(Array(data.utf8)) ?? .null }
    var description: String { "#\(id.map(String.init) ?? "-") \(event ?? "message")" }
}

/// One parsed SSE block: an event or a comment line (`: ping`).
enum SSEItem: Sendable, Equatable {
    case event(SSEEvent)
    case comment(String)
}

/// Reads an SSE body from `HTTPClient.stream`. Every read has a deadline; `close()` drops the
/// body, which closes the connection (a client disconnect).
final class SSEStream: @unchecked Sendable {
    let status: Int
    let headers: HTTPHeaders
    private var body: ClientBodyStream?
    private var buffer: [UInt8] = []
    private var items: [SSEItem] = []
    private(set) var ended = false

    init(status: Int, headers: HTTPHeaders, body: ClientBodyStream) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Drops the stream; the connection closes.
    func close() { body = nil }

    private func readChunk(within seconds: Double) async throws {
        guard let body else { throw TestFailure("the stream is closed") }
        let chunk = try await withDeadline(seconds, "reading the event stream") { try await body.next() }
        guard let chunk else { ended = true; return }
        buffer.append(contentsOf: chunk)
        parse()
    }

    private func parse() {
        while let end = Self.blockEnd(buffer) {
            let block = String(decoding: buffer[..<end.start], as: UTF8.self)
            buffer.removeFirst(end.next)
            var event = SSEEvent(id: nil, event: nil, data: "")
            var dataLines: [String] = []
            var comment: String?
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") {
                    comment = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
                    continue
                }
                let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                let field = String(parts[0])
                var value = parts.count > 1 ? String(parts[1]) : ""
                if value.hasPrefix(" ") { value.removeFirst() }
                switch field {
                case "id": event.id = Int(value)
                case "event": event.event = value
                case "data": dataLines.append(value)
                default: break
                }
            }
            if event.id != nil || event.event != nil || !dataLines.isEmpty {
                event.data = dataLines.joined(separator: "\n")
                items.append(.event(event))
            } else if let comment {
                items.append(.comment(comment))
            }
        }
    }

    private static func blockEnd(_ bytes: [UInt8]) -> (start: Int, next: Int)? {
        guard bytes.count >= 2 else { return nil }
        for i in 0..<(bytes.count - 1) where bytes[i] == 10 && bytes[i + 1] == 10 { return (i, i + 2) }
        return nil
    }

    /// The next item (event or comment).
    func nextItem(within seconds: Double = 5) async throws -> SSEItem {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while items.isEmpty {
            if ended { throw TestFailure("the event stream ended") }
            let left = Double((deadline - ContinuousClock.now).components.seconds) +
                Double((deadline - ContinuousClock.now).components.attoseconds) / 1e18
            guard left > 0 else { throw TestFailure("no event-stream item within \(seconds) s") }
            try await readChunk(within: left)
        }
        return items.removeFirst()
    }

    /// The next comment, skipping nothing: fails if an event comes first.
    func nextComment(within seconds: Double = 5) async throws -> String {
        switch try await nextItem(within: seconds) {
        case .comment(let c): return c
        case .event(let e): throw TestFailure("expected a comment, got event \(e)")
        }
    }

    /// The next `count` events, skipping comments (pings).
    func events(_ count: Int, within seconds: Double = 10) async throws -> [SSEEvent] {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var out: [SSEEvent] = []
        while out.count < count {
            let left = deadline - ContinuousClock.now
            let leftSeconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            guard leftSeconds > 0 else { throw TestFailure("got \(out.count) of \(count) events: \(out)") }
            if case .event(let e) = try await nextItem(within: leftSeconds) { out.append(e) }
        }
        return out
    }

    /// Waits for a `: ping` comment, skipping other comments; fails on an event.
    func waitForPing(within seconds: Double = 5) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            let left = deadline - ContinuousClock.now
            let leftSeconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            guard leftSeconds > 0 else { throw TestFailure("no ping within \(seconds) s") }
            switch try await nextItem(within: leftSeconds) {
            case .comment("ping"): return
            case .comment: continue
            case .event(let e): throw TestFailure("expected a ping, got event \(e)")
            }
        }
    }

    /// Items already parsed but not consumed (events only).
    var bufferedEvents: [SSEEvent] {
        items.compactMap { if case .event(let e) = $0 { return e } else { return nil } }
    }

    func readToEnd(within seconds: Double) async throws -> [UInt8] {
        guard let body else { return [] }
        let bytes = try await withDeadline(seconds, "reading a body") { try await body.collect() }
        close()
        return buffer + bytes
    }
}
