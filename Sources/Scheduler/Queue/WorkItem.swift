import Core
import Store

/// A run as handed to the agent on `GET /v1/work` (docs/agent-protocol.md).
struct WorkItem: Sendable, JSONWritable {
    var run: RunRecord
    var agent: [String: JSONValue]
    var messages: [(role: String, text: String)]

    func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("agent"); JSONValue.object(agent).write(to: &w)
        w.key("messages")
        w.arrayStart()
        for message in messages {
            w.objectStart(); w.key("role", message.role); w.key("text", message.text); w.objectEnd()
        }
        w.arrayEnd()
        w.key("run")
        w.objectStart()
        w.key("created_at", run.createdAt); w.key("id", run.id); w.key("session_id", run.sessionID)
        w.objectEnd()
        w.objectEnd()
    }

    /// The session's `agent` object over warden's defaults.
    static func agentConfiguration(_ stored: String, defaults: SchedulerConfiguration) -> [String: JSONValue] {
        var agent: [String: JSONValue] = ["provider": .string(defaults.defaultProvider),
                                          "model": .string(defaults.defaultModel)]
        if case .object(let given) = JSONValue.decode(stored) { agent.merge(given) { _, new in new } }
        return agent
    }
}
