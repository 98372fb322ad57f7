import Foundation
import HTTP

/// The agent's side of agent.sock (docs/agent-protocol.md). The socket is the identity, so no
/// call names a session.
public final class WardenClient: Sendable {
    public enum Poll: Sendable {
        /// `204`: nothing to do within the wait.
        case idle
        case work(WorkItem)
        /// A work item that does not decode; it can only be failed.
        case unreadable(runID: String, reason: String)
    }

    private let http: HTTPClient
    private let address: SocketAddress

    public init(http: HTTPClient, socketPath: String) {
        self.http = http
        self.address = .unix(path: socketPath)
    }

    /// Long-polls for the next run; warden holds the request up to `wait` seconds.
    public func nextWork(wait: Int) async throws(WardenError) -> Poll {
        let request = ClientRequest(method: "GET", target: "/v1/work?wait=\(wait)")
        let response = try await send(request, idleTimeout: .seconds(wait + 15))
        if response.status == .noContent { return .idle }
        try Self.check(response)
        do {
            return .work(try JSONDecoder().decode(WorkItem.self, from: Data(response.body)))
        } catch {
            guard let id = try? JSONDecoder().decode(WorkItemRunID.self, from: Data(response.body)).run.id else {
                throw .malformedResponse("a work item without a run id")
            }
            return .unreadable(runID: id, reason: "\(error)")
        }
    }

    public func postDelta(runID: String, text: String) async throws(WardenError) {
        try await post("/v1/runs/\(Self.escape(runID))/deltas", ["text": .string(text)])
    }

    public func postMessage(runID: String, text: String) async throws(WardenError) {
        try await post("/v1/runs/\(Self.escape(runID))/messages", ["role": "assistant", "text": .string(text)], retrying: true)
    }

    public func reportToolCall(runID: String, name: String, input: JSONValue, output: String,
                               isError: Bool) async throws(WardenError) {
        try await post("/v1/runs/\(Self.escape(runID))/tool-calls",
                       ["name": .string(name), "input": input, "output": .string(output), "is_error": .bool(isError)],
                       retrying: true)
    }

    public func complete(runID: String, _ completion: RunCompletion) async throws(WardenError) {
        try await post("/v1/runs/\(Self.escape(runID))/complete", completion.json, retrying: true)
    }

    /// Creates a scheduled task of this session; returns warden's task object.
    public func createTask(cron: String, timezone: String, prompt: String) async throws(WardenError) -> JSONValue {
        let body: JSONValue = ["cron": .string(cron), "timezone": .string(timezone), "prompt": .string(prompt)]
        let response = try await post("/v1/tasks", body, retrying: true)
        return JSONValue.parse(response.body) ?? .null
    }

    // MARK: plumbing

    @discardableResult
    private func post(_ path: String, _ body: JSONValue, retrying: Bool = false) async throws(WardenError) -> ClientResponse {
        let request = ClientRequest(method: "POST", target: path, headers: ["Content-Type": "application/json"],
                                    body: body.jsonBytes)
        var delay = Duration.milliseconds(100)
        var attempt = 1
        while true {
            do {
                let response = try await send(request)
                try Self.check(response)
                return response
            } catch where retrying && error.isSafeToRetry && attempt < 8 {
                // Warden may be restarting; the connection never opened, so nothing was stored twice.
                attempt += 1
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func send(_ request: ClientRequest, idleTimeout: Duration? = nil) async throws(WardenError) -> ClientResponse {
        do {
            return try await http.execute(request, to: address, idleTimeout: idleTimeout.map { .some($0) })
        } catch {
            throw .unreachable(error)
        }
    }

    private static func check(_ response: ClientResponse) throws(WardenError) {
        guard !(200..<300).contains(response.status.code) else { return }
        let error = JSONValue.parse(response.body)?["error"]
        let code = error?["code"]?.stringValue ?? "http_\(response.status.code)"
        if response.status == .conflict && code == "run_finished" { throw .runFinished }
        let message = error?["message"]?.stringValue ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        throw .rejected(status: response.status.code, code: code, message: message)
    }

    /// Run ids come from warden, but a path is no place to trust that.
    private static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "_-"))) ?? id
    }
}

/// How a run ended, as `POST /v1/runs/{id}/complete` takes it.
public enum RunCompletion: Sendable, Equatable {
    case completed(stopReason: String, usage: Usage)
    case failed(code: String, message: String, usage: Usage)

    var json: JSONValue {
        switch self {
        case .completed(let stopReason, let usage):
            return ["status": "completed", "stop_reason": .string(stopReason), "usage": usage.json]
        case .failed(let code, let message, let usage):
            return ["status": "failed", "error": ["code": .string(code), "message": .string(message)], "usage": usage.json]
        }
    }
}

/// Tokens a run used, summed over its model calls.
public struct Usage: Sendable, Equatable {
    public var inputTokens = 0
    public var outputTokens = 0

    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    static func + (a: Usage, b: Usage) -> Usage {
        Usage(inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens)
    }

    var json: JSONValue { ["input_tokens": .number(Double(inputTokens)), "output_tokens": .number(Double(outputTokens))] }
}
