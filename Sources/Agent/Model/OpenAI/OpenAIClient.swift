import HTTP

/// OpenAI-compatible chat completions (OpenAI itself, vLLM, llama.cpp, Ollama…), streamed,
/// through the proxy's model route.
public struct OpenAIClient: ModelClient {
    static let path = "/model/openai/v1/chat/completions"

    let transport: ModelTransport
    let settings: ModelSettings
    /// A placeholder: the proxy swaps it for the real key on the way out.
    let apiKey: String

    public func respond(to conversation: Conversation, tools: [ToolDefinition],
                        onText: @escaping @Sendable (String) async -> Void) async throws(ModelError) -> ModelTurn {
        let headers: HTTPHeaders = ["Authorization": "Bearer \(apiKey)"]
        let body = OpenAIRequest.body(settings: settings, conversation: conversation, tools: tools)
        var events = try await transport.events(path: Self.path, headers: headers, body: body).makeIterator()
        var assembler = OpenAIStreamAssembler()
        while let event = try await events.next() {
            if let text = try assembler.apply(event) { await onText(text) }
            if assembler.isFinished { break }
        }
        return try assembler.turn()
    }
}

/// Builds the request body of chat completions from a conversation.
enum OpenAIRequest {
    static func body(settings: ModelSettings, conversation: Conversation, tools: [ToolDefinition]) -> JSONValue {
        var messages: [JSONValue] = []
        if let system = conversation.system, !system.isEmpty {
            messages.append(["role": "system", "content": .string(system)])
        }
        for item in conversation.items { messages += self.messages(item) }
        var body: [String: JSONValue] = [
            "model": .string(settings.model),
            "max_tokens": .number(Double(settings.maxTokens)),
            "stream": true,
            "stream_options": ["include_usage": true],
            "messages": .array(messages),
        ]
        if !tools.isEmpty {
            body["tools"] = .array(tools.map {
                ["type": "function",
                 "function": ["name": .string($0.name), "description": .string($0.description), "parameters": $0.inputSchema]]
            })
        }
        return .object(body)
    }

    private static func messages(_ item: Conversation.Item) -> [JSONValue] {
        switch item {
        case .user(let text):
            return [["role": "user", "content": .string(text)]]
        case .assistant(let blocks):
            var text = ""
            var calls: [JSONValue] = []
            for block in blocks {
                switch block {
                case .text(let piece): text += piece
                case .toolUse(let use):
                    let arguments = use.rawInput.isEmpty ? "{}" : use.rawInput
                    calls.append(["id": .string(use.id), "type": "function",
                                  "function": ["name": .string(use.name), "arguments": .string(arguments)]])
                }
            }
            var message: [String: JSONValue] = ["role": "assistant", "content": text.isEmpty ? .null : .string(text)]
            if !calls.isEmpty { message["tool_calls"] = .array(calls) }
            return [.object(message)]
        case .toolResults(let results):
            // This format has no error flag; the word keeps the model from mistaking one for output.
            return results.map {
                ["role": "tool", "tool_call_id": .string($0.toolUseID),
                 "content": .string($0.isError ? "error: \($0.output)" : $0.output)]
            }
        }
    }
}
