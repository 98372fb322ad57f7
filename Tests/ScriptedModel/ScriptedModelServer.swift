import Foundation
import HTTP
import Synchronization

/// A model server for tests and benchmarks that speaks the real wire formats of the Anthropic
/// Messages API and OpenAI chat completions, answering from a script and recording every request.
/// It serves `/v1/messages` and `/v1/chat/completions`, and the same under `/model/anthropic` and
/// `/model/openai`, the credential proxy's routes.
public final class ScriptedModelServer: Sendable {
    public let address: SocketAddress
    private let group: EventLoopGroup
    private let server: HTTPServer
    private let state: ScriptState

    /// Starts serving `script` on `listen` (default: a free port on 127.0.0.1).
    public static func start(script: ModelScript,
                             listen: SocketAddress = .tcp(host: "127.0.0.1", port: 0)) throws -> ScriptedModelServer {
        try ScriptedModelServer(script: script, listen: listen)
    }

    private init(script: ModelScript, listen: SocketAddress) throws {
        group = try EventLoopGroup(loopCount: 1)
        state = ScriptState(script: script)
        var router = Router()
        let state = self.state
        // Also under the proxy's model routes, so the server can stand in for proxy.sock itself.
        for prefix in ["", "/model/anthropic"] {
            router.post(prefix + "/v1/messages", .async { request in
                await ScriptedResponder(state: state, format: .anthropic).respond(to: request)
            })
        }
        for prefix in ["", "/model/openai"] {
            router.post(prefix + "/v1/chat/completions", .async { request in
                await ScriptedResponder(state: state, format: .openAI).respond(to: request)
            })
        }
        var configuration = ServerConfiguration()
        configuration.maxBodyBytes = 64 * 1024 * 1024
        server = HTTPServer(group: group, configuration: configuration, handler: RecordingHandler(router: router, state: state))
        do {
            address = try server.listen(listen).address
        } catch {
            group.shutdown()
            throw error
        }
    }

    /// Every request received so far, in order of arrival.
    public var requests: [RecordedRequest] { state.recorded }

    /// The requests to the model routes only.
    public var modelRequests: [RecordedRequest] {
        requests.filter { $0.path.hasSuffix("/v1/messages") || $0.path.hasSuffix("/v1/chat/completions") }
    }

    /// Stops serving; hanging turns are released.
    public func stop() async {
        state.releaseHangs()
        await server.shutdown(grace: .seconds(2))
        group.shutdown()
    }
}

/// Records each request before routing it, so even refused or hanging ones are seen.
private struct RecordingHandler: HTTPHandler {
    let router: Router
    let state: ScriptState

    func handle(_ request: Request) -> HandlerResult {
        state.record(RecordedRequest(method: request.method, path: request.path, headers: request.headers, body: request.body))
        return router.handle(request)
    }
}

/// The script's position, the recorded requests, and the turns waiting forever.
final class ScriptState: Sendable {
    let script: ModelScript
    private let next = Atomic(0)
    private let ids = Atomic(0)
    private let requests = Mutex<[RecordedRequest]>([])
    private let hangs = Mutex<(released: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    init(script: ModelScript) { self.script = script }

    var recorded: [RecordedRequest] { requests.withLock { $0 } }
    func record(_ request: RecordedRequest) { requests.withLock { $0.append(request) } }

    /// The turn for the next model request; nil once a `.fail` script is exhausted.
    func takeTurn() -> ScriptedTurn? { script.turn(next.wrappingAdd(1, ordering: .relaxed).oldValue) }

    func nextID() -> Int { ids.wrappingAdd(1, ordering: .relaxed).newValue }

    func hang() async {
        await withCheckedContinuation { continuation in
            let resumeNow = hangs.withLock { state -> Bool in
                if state.released { return true }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func releaseHangs() {
        let waiting = hangs.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.released = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
