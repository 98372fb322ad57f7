import Foundation

/// The exchange with the model within one run, independent of the provider's wire format.
public struct Conversation: Sendable {
    public enum Item: Sendable, Equatable {
        case user(String)
        case assistant([AssistantBlock])
        case toolResults([ToolResult])
    }

    public var system: String?
    public private(set) var items: [Item] = []

    public init(system: String?, history: [WorkItem.Message]) {
        self.system = system
        for message in history where !message.text.isEmpty {
            // Both APIs want user and assistant turns to alternate; merge any that do not.
            switch (message.role, items.last) {
            case ("assistant", .assistant(let blocks)?):
                items[items.count - 1] = .assistant(blocks + [.text(message.text)])
            case ("assistant", _):
                items.append(.assistant([.text(message.text)]))
            case (_, .user(let text)?):
                items[items.count - 1] = .user(text + "\n\n" + message.text)
            default:
                items.append(.user(message.text))
            }
        }
    }

    public mutating func append(_ item: Item) { items.append(item) }
}

/// One block of an assistant turn, in the order the model produced them.
public enum AssistantBlock: Sendable, Equatable {
    case text(String)
    case toolUse(ToolUse)
}

public struct ToolUse: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments; nil when the model sent text that is not a JSON object.
    public var input: [String: JSONValue]?
    /// The arguments as the model sent them, for the error message when they do not parse.
    public var rawInput: String

    public init(id: String, name: String, rawInput: String) {
        self.id = id
        self.name = name
        self.rawInput = rawInput
        let trimmed = rawInput.trimmingCharacters(in: .whitespacesAndNewlines)
        // An empty argument string is how streams say "no arguments".
        input = trimmed.isEmpty ? [:] : JSONValue.parse(Array(trimmed.utf8))?.objectValue
    }
}

public struct ToolResult: Sendable, Equatable {
    public var toolUseID: String
    public var output: String
    public var isError: Bool
}

/// What one model call produced.
public struct ModelTurn: Sendable, Equatable {
    public var blocks: [AssistantBlock]
    /// In Anthropic's words: `end_turn`, `tool_use`, `max_tokens`, `stop_sequence`, …
    public var stopReason: String
    public var usage: Usage

    public var toolUses: [ToolUse] {
        blocks.compactMap { if case .toolUse(let use) = $0 { return use }; return nil }
    }

    public var text: String {
        blocks.compactMap { if case .text(let text) = $0 { return text }; return nil }.joined()
    }
}
