import Foundation
import HTTP

/// Answers one model request from the next scripted turn, in the request's format.
struct ScriptedResponder {
    enum Format { case anthropic, openAI }

    let state: ScriptState
    let format: Format

    func respond(to request: Request) async -> Response {
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else {
            return error(400, type: "invalid_request_error", message: "The request body is not a JSON object.")
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.lowercased()] = field.value }
        let problem = format == .anthropic
            ? AnthropicFormat.problem(headers: headers, body: body)
            : OpenAIFormat.problem(headers: headers, body: body)
        if let problem { return error(problem.status, type: problem.type, message: problem.message) }

        guard let turn = state.takeTurn() else {
            return error(500, type: "api_error", message: "The model script is exhausted.")
        }
        if turn.delay > .zero { try? await Task.sleep(for: turn.delay) }
        let model = body["model"] as? String ?? "scripted"
        let streaming = body["stream"] as? Bool == true
        switch turn.outcome {
        case .hang:
            await state.hang()
            return error(503, type: "api_error", message: "The scripted model stopped.")
        case .httpError(let status, let type, let message):
            return error(status, type: type, message: message)
        case .streamError(let type, let message):
            guard streaming else { return error(500, type: type, message: message) }
            let events = format == .anthropic
                ? AnthropicFormat.streamErrorEvents(id: "msg_\(state.nextID())", model: model, type: type, message: message)
                : OpenAIFormat.streamErrorChunks(type: type, message: message)
            return stream(events, chunkDelay: turn.chunkDelay)
        case .answer(let text, let toolCalls):
            let calls = toolCalls.map { (id: callID(), call: $0) }
            let stopReason = turn.stopReason ?? (calls.isEmpty ? "end_turn" : "tool_use")
            let output = (text.utf8.count + toolCalls.reduce(0) { $0 + $1.inputJSON.utf8.count }) / 4 + 1
            let usage = turn.usage ?? (input: request.body.count / 4 + 1, output: output)
            return answer(model: model, text: text, calls: calls, stopReason: stopReason, usage: usage,
                          streaming: streaming, includeUsage: includesUsage(body), chunkDelay: turn.chunkDelay)
        }
    }

    private func answer(model: String, text: String, calls: [(id: String, call: ScriptedToolCall)], stopReason: String,
                        usage: (input: Int, output: Int), streaming: Bool, includeUsage: Bool, chunkDelay: Duration) -> Response {
        let chunkSize = state.script.chunkSize
        switch (format, streaming) {
        case (.anthropic, false):
            return .json(AnthropicFormat.message(id: "msg_\(state.nextID())", model: model, text: text, calls: calls,
                                                 stopReason: stopReason, usage: usage))
        case (.anthropic, true):
            return stream(AnthropicFormat.events(id: "msg_\(state.nextID())", model: model, text: text, calls: calls,
                                                 stopReason: stopReason, usage: usage, chunkSize: chunkSize), chunkDelay: chunkDelay)
        case (.openAI, false):
            return .json(OpenAIFormat.completion(id: "chatcmpl-\(state.nextID())", model: model, text: text, calls: calls,
                                                 stopReason: stopReason, usage: usage))
        case (.openAI, true):
            return stream(OpenAIFormat.chunks(id: "chatcmpl-\(state.nextID())", model: model, text: text, calls: calls,
                                              stopReason: stopReason, usage: usage, includeUsage: includeUsage,
                                              chunkSize: chunkSize), chunkDelay: chunkDelay)
        }
    }

    private func includesUsage(_ body: [String: Any]) -> Bool {
        (body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
    }

    private func callID() -> String {
        format == .anthropic ? "toolu_scripted_\(state.nextID())" : "call_scripted_\(state.nextID())"
    }

    /// Each event is its own write, so the client sees the stream arrive piece by piece.
    private func stream(_ events: [String], chunkDelay: Duration) -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"], body: .stream { writer in
            for event in events {
                try await writer.write(event)
                if chunkDelay > .zero { try await Task.sleep(for: chunkDelay) }
            }
        })
    }

    private func error(_ status: Int, type: String, message: String) -> Response {
        let body = format == .anthropic
            ? AnthropicFormat.errorBody(type: type, message: message)
            : OpenAIFormat.errorBody(type: type, message: message)
        return .json(body, status: HTTPStatus(status))
    }
}
