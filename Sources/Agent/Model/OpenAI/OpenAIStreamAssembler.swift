/// Rebuilds a chat completion from its stream: `data:` chunks whose `choices[0].delta` carries
/// `content` pieces and `tool_calls` pieces (by `index`: `id` and `function.name` first, then
/// `function.arguments` in pieces), a `finish_reason`, a usage chunk when asked for, and `[DONE]`.
struct OpenAIStreamAssembler {
    private struct PartialCall {
        var id = ""
        var name = ""
        var arguments = ""
    }

    private var text = ""
    private var calls: [Int: PartialCall] = [:]
    private var finishReason: String?
    private var usage = Usage()
    private(set) var isFinished = false

    mutating func apply(_ event: SSEEvent) throws(ModelError) -> String? {
        if event.data == "[DONE]" {
            isFinished = true
            return nil
        }
        guard let chunk = JSONValue.parse(Array(event.data.utf8)) else {
            throw .malformed("a stream chunk is not JSON")
        }
        if let error = chunk["error"] {
            throw .streamError(type: error["type"]?.stringValue ?? error["code"]?.stringValue,
                               message: error["message"]?.stringValue ?? error.stringValue ?? "no details")
        }
        if let usage = chunk["usage"], usage != .null {
            self.usage = Usage(inputTokens: usage["prompt_tokens"]?.intValue ?? 0,
                               outputTokens: usage["completion_tokens"]?.intValue ?? 0)
        }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return nil }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        guard let delta = choice["delta"] else { return nil }
        for call in delta["tool_calls"]?.arrayValue ?? [] { try applyToolCall(call) }
        guard let piece = delta["content"]?.stringValue, !piece.isEmpty else { return nil }
        text += piece
        return piece
    }

    func turn() throws(ModelError) -> ModelTurn {
        // Some servers end the body without `[DONE]`; a finish reason says the answer is whole.
        guard isFinished || finishReason != nil else { throw .malformed("the stream ended before a finish_reason") }
        var blocks: [AssistantBlock] = text.isEmpty ? [] : [.text(text)]
        for index in calls.keys.sorted() {
            let call = calls[index]!
            blocks.append(.toolUse(ToolUse(id: call.id.isEmpty ? "call_\(index)" : call.id, name: call.name,
                                           rawInput: call.arguments)))
        }
        return ModelTurn(blocks: blocks, stopReason: Self.stopReason(finishReason, hasToolCalls: !calls.isEmpty),
                         usage: usage)
    }

    private mutating func applyToolCall(_ piece: JSONValue) throws(ModelError) {
        guard let index = piece["index"]?.intValue else { throw .malformed("a tool_calls piece without an index") }
        var call = calls[index] ?? PartialCall()
        if let id = piece["id"]?.stringValue, !id.isEmpty { call.id = id }
        if let name = piece["function"]?["name"]?.stringValue, name != call.name {
            // The name normally comes whole in the first piece; a server that repeats it must not double it.
            call.name += name
        }
        call.arguments += piece["function"]?["arguments"]?.stringValue ?? ""
        calls[index] = call
    }

    /// In Anthropic's words, so a run reports one vocabulary whatever the provider. Tool calls
    /// decide over the finish reason: some local servers finish a tool call with `stop`.
    static func stopReason(_ finishReason: String?, hasToolCalls: Bool) -> String {
        switch finishReason {
        case "length": return "max_tokens"
        case "content_filter": return "refusal"
        default: return hasToolCalls ? "tool_use" : "end_turn"
        }
    }
}
