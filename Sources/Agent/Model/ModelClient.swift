/// A chat model behind the credential proxy.
public protocol ModelClient: Sendable {
    /// One model call. `onText` receives each piece of text as it streams in, before the call
    /// returns with the whole turn.
    func respond(to conversation: Conversation, tools: [ToolDefinition],
                 onText: @escaping @Sendable (String) async -> Void) async throws(ModelError) -> ModelTurn
}

/// A tool as the model sees it.
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    /// JSON Schema of the tool's input object.
    public var inputSchema: JSONValue
}

/// Which model and how long a reply may be, from the work item's `agent`.
public struct ModelSettings: Sendable {
    public var model: String
    public var maxTokens: Int

    public init(model: String, maxTokens: Int) {
        self.model = model
        self.maxTokens = maxTokens
    }
}
