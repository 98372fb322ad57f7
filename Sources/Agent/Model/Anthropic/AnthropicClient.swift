import HTTP

/// The Anthropic Messages API, streamed, through the proxy's model route.
public struct AnthropicClient: ModelClient {
    static let path = "/model/anthropic/v1/messages"
    static let apiVersion = "2023-06-01"

    let transport: ModelTransport
    let settings: ModelSettings
    /// A placeholder: the proxy swaps it for the real key on the way out.
    let apiKey: String

    public func respond(to conversation: Conversation, tools: [ToolDefinition],
                        onText: @escaping @Sendable (String) async -> Void) async throws(ModelError) -> ModelTurn {
        let headers: HTTPHeaders = ["x-api-key": apiKey, "anthropic-version": Self.apiVersion]
        let body = AnthropicRequest.body(settings: settings, conversation: conversation, tools: tools)
        var events = try await transport.events(path: Self.path, headers: headers, body: body).makeIterator()
        var assembler = AnthropicStreamAssembler()
        while let event = try await events.next() {
            if let text = try assembler.apply(event) { await onText(text) }
            if assembler.isFinished { break }
        }
        return try assembler.turn()
    }
}

/// Builds the request body of the Messages API from a conversation.
enum AnthropicRequest {
    static func body(settings: ModelSettings, conversation: Conversation, tools: [ToolDefinition]) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(settings.model),
            "max_tokens": .number(Double(settings.maxTokens)),
            "stream": true,
            "messages": .array(conversation.items.compactMap(message)),
        ]
        if let system = conversation.system, !system.isEmpty { body["system"] = .string(system) }
        if !tools.isEmpty {
            body["tools"] = .array(tools.map {
                ["name": .string($0.name), "description": .string($0.description), "input_schema": $0.inputSchema]
            })
        }
        return .object(body)
    }

    private static func message(_ item: Conversation.Item) -> JSONValue? {
        switch item {
        case .user(let text):
            return ["role": "user", "content": [["type": "text", "text": .string(text)]]]
        case .assistant(let blocks):
            let content: [JSONValue] = blocks.compactMap { block in
                switch block {
                case .text(let text):
                    // The API refuses empty text blocks.
                    return text.isEmpty ? nil : ["type": "text", "text": .string(text)]
                case .toolUse(let use):
                    return ["type": "tool_use", "id": .string(use.id), "name": .string(use.name),
                            "input": .object(use.input ?? [:])]
                }
            }
            return content.isEmpty ? nil : ["role": "assistant", "content": .array(content)]
        case .toolResults(let results):
            return ["role": "user", "content": .array(results.map {
                ["type": "tool_result", "tool_use_id": .string($0.toolUseID), "content": .string($0.output),
                 "is_error": .bool($0.isError)]
            })]
        }
    }
}
