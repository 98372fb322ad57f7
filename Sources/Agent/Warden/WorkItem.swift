/// A run handed out by `GET /v1/work`.
public struct WorkItem: Sendable, Decodable {
    public struct Run: Sendable, Decodable {
        public var id: String
        public var sessionID: String?

        enum CodingKeys: String, CodingKey {
            case id
            case sessionID = "session_id"
        }
    }

    /// The session's `agent` object, defaults filled in by warden.
    public struct AgentSpec: Sendable, Decodable {
        public var provider: Provider
        public var model: String
        public var system: String?
        public var maxTokens: Int?

        enum CodingKeys: String, CodingKey {
            case provider, model, system
            case maxTokens = "max_tokens"
        }
    }

    public enum Provider: String, Sendable, Decodable {
        case anthropic, openai
    }

    public struct Message: Sendable, Decodable {
        public var role: String
        public var text: String
    }

    public var run: Run
    public var agent: AgentSpec
    public var messages: [Message]
}

/// Just the run id, so a work item that fails to decode can still be failed by id.
struct WorkItemRunID: Decodable {
    struct Run: Decodable { var id: String }
    var run: Run
}
