import Foundation
import Synchronization
import Testing
@testable import HTTP

/// A server on its own event loop group, listening on 127.0.0.1 with an ephemeral port
/// (or on a unix socket). Always use it through `withTestServer`, which stops it even
/// when the test body throws, so no loop threads leak between tests.
final class TestServer: Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let listener: Listener
    let address: SocketAddress

    init(handler: any HTTPHandler, configuration: ServerConfiguration = .init(), unixPath: String? = nil,
         loops: Int = 2) throws {
        group = try EventLoopGroup(loopCount: loops)
        server = HTTPServer(group: group, configuration: configuration, handler: handler)
        do {
            listener = try server.listen(unixPath.map { .unix(path: $0) } ?? .tcp(host: "127.0.0.1", port: 0))
        } catch {
            group.shutdown()
            throw error
        }
        address = listener.address
    }

    var port: Int {
        if case .tcp(_, let port) = address { return port }
        return 0
    }

    /// A fresh blocking client connected to this server (TCP or unix, whichever it listens on).
    func connect(receiveBuffer: Int? = nil) throws -> RawClient {
        switch address {
        case .tcp(_, let port): return try RawClient(port: port, receiveBuffer: receiveBuffer)
        case .unix(let path): return try RawClient(unixPath: path)
        }
    }

    func stop(grace: Duration = .seconds(2)) async {
        await server.shutdown(grace: grace)
        group.shutdown()
    }
}

/// Starts a server, runs `body`, and stops the server whatever happens.
func withTestServer<R>(
    _ handler: any HTTPHandler,
    configuration: ServerConfiguration = .init(),
    unix: Bool = false,
    _ body: (TestServer) async throws -> R
) async throws -> R {
    let path = unix ? "/tmp/warden-http-\(UUID().uuidString.prefix(12)).sock" : nil
    let server = try TestServer(handler: handler, configuration: configuration, unixPath: path)
    do {
        let result = try await body(server)
        await server.stop()
        if let path { unlink(path) }
        return result
    } catch {
        await server.stop()
        if let path { unlink(path) }
        throw error
    }
}

/// A configuration with every timeout short enough that timeout paths run quickly in tests,
/// and long enough that a loaded machine does not trip them on the happy path.
func testConfiguration(_ change: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
    var config = ServerConfiguration()
    // Generous: a loaded CI machine (the whole suite runs in one process) can take seconds for a
    // TLS handshake or a byte-by-byte request. Tests of the timeouts set their own.
    config.headerTimeout = .seconds(20)
    config.bodyTimeout = .seconds(20)
    config.idleTimeout = .seconds(30)
    config.lingerTimeout = .milliseconds(500)
    change(&config)
    return config
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
/// Used only to wait for something to happen, never to assert how long it took.
func eventually(timeout: Duration = .seconds(20), _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// The handler most protocol tests use. It answers with a text body that names what the
/// server handed it, so a test can tell which request a response belongs to:
///   `<METHOD> <path> q=<query> body=<body> trailer=<X-Trailer trailer>`
/// `/slow` answers the same off the loop after `?ms=` milliseconds (default 200).
/// `/healthz` answers `ok`.
let echoHandler = ClosureHandler { request in
    if request.path == "/healthz" { return .response(.text("ok")) }
    if request.path == "/slow" {
        let ms = Int(request.queryParameters["ms"] ?? "") ?? 200
        return .async {
            try? await Task.sleep(for: .milliseconds(ms))
            return echoResponse(request)
        }
    }
    return .response(echoResponse(request))
}

func echoResponse(_ request: Request) -> Response {
    let text = "\(request.method) \(request.path) q=\(request.query ?? "") body=\(request.bodyString)"
        + " trailer=\(request.trailers["X-Trailer"] ?? "")"
    var response = Response.text(text)
    response.headers.add("X-Echo-Method", request.method)
    return response
}

/// What `echoHandler` answers for a request, for comparing with a received body.
func echoText(_ method: String, _ path: String, query: String = "", body: String = "", trailer: String = "") -> String {
    "\(method) \(path) q=\(query) body=\(body) trailer=\(trailer)"
}

/// SplitMix64: a tiny seeded generator so random tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
