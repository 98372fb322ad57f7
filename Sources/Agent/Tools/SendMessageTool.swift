/// `send_message`: a message to the user before the run ends, e.g. progress on a long task.
struct SendMessageTool: Tool {
    let definition = ToolDefinition(
        name: "send_message",
        description: "Sends a message to the user right away, before your final reply (e.g. progress on a long task).",
        inputSchema: [
            "type": "object",
            "properties": ["text": ["type": "string", "description": "The message."]],
            "required": ["text"],
        ])

    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        let text = try input.string("text")
        guard !text.isEmpty else { throw .invalidInput("`text` must not be empty") }
        do {
            try await context.warden.postMessage(runID: context.runID, text: text)
        } catch {
            throw ToolFailure(error, doing: "Sending the message")
        }
        return ToolOutcome(output: "Message sent.")
    }
}
