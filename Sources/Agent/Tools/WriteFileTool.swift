/// `write_file`: creates or replaces a file, and any missing parent directories.
struct WriteFileTool: Tool {
    let definition = ToolDefinition(
        name: "write_file",
        description: "Writes `content` to a file in the workspace, replacing it if it exists and creating missing directories.",
        inputSchema: [
            "type": "object",
            "properties": [
                "path": ["type": "string", "description": "Path relative to the workspace."],
                "content": ["type": "string", "description": "The complete new content of the file."],
            ],
            "required": ["path", "content"],
        ])

    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        let name = try input.string("path")
        let content = try input.string("content")
        try FileAccess.write(Array(content.utf8), to: try context.workspace.resolve(name), shownAs: name)
        return ToolOutcome(output: "Wrote \(content.utf8.count) bytes to \(name).")
    }
}
