import TestSupport
import Foundation
import HTTP

/// Warden's side of agent.sock for tests: hands out queued work items by long-poll and records
/// everything the agent posts. Runs listed as finished answer `409 run_finished`, as warden
/// does for a cancelled run.
final class FakeWarden: Sendable {
    struct Call: Sendable {
        var method: String
        var path: String
        var query: String?
        var body: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    private struct Fields {
        var queue: [[UInt8]] = []
        var finished: Set<String> = []
        var calls: [Call] = []
        var nextID = 0
    }

    private typealias State = Locked<Fields>

    let socketPath: String
    private let group: EventLoopGroup
    private let server: HTTPServer
    private let state = State(Fields())

    init(socketPath: String) throws {
        self.socketPath = socketPath
        group = try EventLoopGroup(loopCount: 1)
        var router = Router()
        let state = self.state
        router.get("/v1/work", .async { request in await Self.work(request, state) })
        for action in ["deltas", "messages", "tool-calls", "complete", "approvals"] {
            router.post("/v1/runs/{id}/\(action)", .inline { request in Self.runCall(action, request, state) })
        }
        router.post("/v1/tasks", .inline { request in Self.createTask(request, state) })
        server = HTTPServer(group: group, handler: RecordingRouter(router: router, state: state))
        try server.listen(.unix(path: socketPath))
    }

    func stop() async {
        await server.shutdown(grace: .seconds(1))
        group.shutdown()
    }

    /// Queues a run for the agent; returns its id.
    @discardableResult
    func enqueue(provider: String = "anthropic", model: String = "scripted-model", system: String? = "You are a test agent.",
                 messages: [(role: String, text: String)] = [("user", "create hello.txt")], runID: String? = nil) -> String {
        let id = runID ?? state.withLock { s in s.nextID += 1; return "run_test\(s.nextID)" }
        var agent: [String: Any] = ["provider": provider, "model": model, "max_tokens": 1024]
        if let system { agent["system"] = system }
        let item: [String: Any] = [
            "run": ["id": id, "session_id": "ses_test", "created_at": "2025-01-01T00:00:00Z"],
            "agent": agent,
            "messages": messages.map { ["role": $0.role, "text": $0.text] },
        ]
        let bytes = Array(try! JSONSerialization.data(withJSONObject: item))
        state.withLock { $0.queue.append(bytes) }
        return id
    }

    func enqueueRaw(_ body: String) { state.withLock { $0.queue.append(Array(body.utf8)) } }

    /// From now on every call for this run answers 409 run_finished.
    func finish(_ runID: String) { state.withLock { _ = $0.finished.insert(runID) } }

    var calls: [Call] { state.withLock { $0.calls } }

    func calls(_ runID: String, _ action: String) -> [Call] {
        calls.filter { $0.method == "POST" && $0.path == "/v1/runs/\(runID)/\(action)" }
    }

    var workPolls: [Call] { calls.filter { $0.path == "/v1/work" } }
    var tasks: [Call] { calls.filter { $0.path == "/v1/tasks" } }

    /// The deltas of a run, joined in the order they arrived.
    func deltaText(_ runID: String) -> String {
        calls(runID, "deltas").compactMap { $0.json["text"] as? String }.joined()
    }

    /// Waits (up to a generous bound, for a loaded machine) until the agent completes `runID`.
    func completion(of runID: String) async throws -> [String: Any] {
        for _ in 0..<3000 {
            if let call = calls(runID, "complete").first { return call.json }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("run \(runID) was not completed; calls: \(calls.map { "\($0.method) \($0.path)" })")
    }

    // MARK: handlers

    private static func work(_ request: Request, _ state: State) async -> Response {
        let wait = Int(request.queryParameters["wait"] ?? "30") ?? 30
        let deadline = ContinuousClock.now + .seconds(wait)
        repeat {
            if let item = state.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) {
                return .json(item)
            }
            try? await Task.sleep(for: .milliseconds(10))
        } while ContinuousClock.now < deadline
        return .empty(.noContent)
    }

    private static func runCall(_ action: String, _ request: Request, _ state: State) -> Response {
        let runID = request.parameters["id"] ?? ""
        let finished = state.withLock { s -> Bool in
            guard !s.finished.contains(runID) else { return true }
            if action == "complete" { s.finished.insert(runID) }
            return false
        }
        if finished {
            return ErrorEnvelope.response(for: HTTPError(.conflict, code: "run_finished", message: "The run is finished."),
                                          requestID: request.requestID)
        }
        switch action {
        case "deltas": return .empty(.noContent)
        case "complete": return .json(Array(#"{"id":"\#(runID)","object":"run"}"#.utf8))
        case "approvals": return .json(Array(#"{"decision":"approve"}"#.utf8))
        default: return .json(Array(#"{"id":"msg_fake","object":"message"}"#.utf8), status: .created)
        }
    }

    private static func createTask(_ request: Request, _ state: State) -> Response {
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
        guard let cron = body["cron"] as? String, cron.split(separator: " ").count == 5 else {
            return ErrorEnvelope.response(for: HTTPError(.badRequest, code: "invalid_cron", message: "cron must have five fields.",
                                                         param: "cron"), requestID: request.requestID)
        }
        return .json(Array(#"{"id":"tsk_fake","object":"task"}"#.utf8), status: .created)
    }

    private struct RecordingRouter: HTTPHandler {
        let router: Router
        let state: State

        func handle(_ request: Request) -> HandlerResult {
            state.withLock { $0.calls.append(Call(method: request.method, path: request.path, query: request.query, body: request.body)) }
            return router.handle(request)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
