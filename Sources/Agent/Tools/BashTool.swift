/// `bash`: a shell command in the workspace, with a timeout.
struct BashTool: Tool {
    static let maxTimeoutSeconds = 600

    let definition = ToolDefinition(
        name: "bash",
        description: """
            Runs a command with /bin/bash -c in the workspace directory and returns its output \
            (stdout and stderr together; long output keeps its start and end) and exit code. \
            The default timeout is 120 seconds; on timeout every process the command started is killed. \
            Background processes must redirect their output to a file.
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "command": ["type": "string", "description": "The command line to run."],
                "timeout": ["type": "integer", "description": "Seconds before the command is killed (1–600)."],
            ],
            "required": ["command"],
        ])

    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        let command = try input.string("command")
        let timeout = try input.optionalInt("timeout", in: 1...Self.maxTimeoutSeconds).map { Duration.seconds($0) }
            ?? context.bashTimeout
        let result: ShellCommand.Result
        do {
            result = try await ShellCommand(command: command, directory: context.workspace.root, timeout: timeout).run()
        } catch {
            throw .failed(error.description)
        }
        if Task.isCancelled { throw .cancelled }
        let output = result.output.isEmpty ? "" : result.output + (result.output.hasSuffix("\n") ? "" : "\n")
        switch result.ending {
        case .exited(let code):
            return ToolOutcome(output: output + "[exit code \(code)]")
        case .signalled(let signal):
            return ToolOutcome(output: output + "[killed by signal \(signal)]", isError: true)
        case .timedOut:
            let seconds = timeout.components.seconds
            return ToolOutcome(output: output + "[timed out after \(seconds) s; the command and everything it started were killed]",
                               isError: true)
        }
    }
}
