/// The tools of SPEC §4, by name.
struct Toolbox: Sendable {
    private let tools: [String: any Tool]
    let definitions: [ToolDefinition]

    init(_ tools: [any Tool] = Toolbox.standard) {
        self.tools = Dictionary(uniqueKeysWithValues: tools.map { ($0.definition.name, $0) })
        definitions = tools.map(\.definition)
    }

    static let standard: [any Tool] = [
        BashTool(), ReadFileTool(), WriteFileTool(), EditFileTool(), ListFilesTool(),
        SendMessageTool(), ScheduleTaskTool(),
    ]

    /// Runs one tool call. Only the end of the run escapes as an error; everything else is a
    /// result for the model.
    func run(_ use: ToolUse, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        guard let tool = tools[use.name] else {
            let known = definitions.map(\.name).joined(separator: ", ")
            return ToolOutcome(output: "There is no tool called `\(use.name)`; the tools are \(known).", isError: true)
        }
        guard let fields = use.input else {
            return ToolOutcome(output: "The input is not a JSON object: \(use.rawInput.prefix(200))", isError: true)
        }
        do {
            return try await tool.run(ToolInput(fields: fields), context: context)
        } catch {
            switch error {
            case .invalidInput(let message): return ToolOutcome(output: "Invalid input: \(message).", isError: true)
            case .failed(let message): return ToolOutcome(output: message, isError: true)
            case .runFinished, .cancelled: throw error
            }
        }
    }
}
