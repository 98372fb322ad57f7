/// `read_file`: a text file, whole or a range of lines.
struct ReadFileTool: Tool {
    static let maxOutputCharacters = 100_000

    let definition = ToolDefinition(
        name: "read_file",
        description: """
            Returns the text of a file in the workspace, exactly as stored. For long files, pass \
            `offset` (first line, from 1) and `limit` (number of lines).
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "path": ["type": "string", "description": "Path relative to the workspace."],
                "offset": ["type": "integer", "description": "First line to return, from 1."],
                "limit": ["type": "integer", "description": "How many lines to return."],
            ],
            "required": ["path"],
        ])

    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        let name = try input.string("path")
        let offset = try input.optionalInt("offset", in: 1...Int.max)
        let limit = try input.optionalInt("limit", in: 1...Int.max)
        let text = try FileAccess.readText(try context.workspace.resolve(name), shownAs: name)
        var selected = text
        if offset != nil || limit != nil {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let start = (offset ?? 1) - 1
            guard start < lines.count else {
                throw .failed("\(name) has \(lines.count) lines; offset \(start + 1) is past its end.")
            }
            let end = min(lines.count, start + (limit ?? lines.count))
            selected = lines[start..<end].joined(separator: "\n")
        }
        guard selected.count > Self.maxOutputCharacters else { return ToolOutcome(output: selected) }
        return ToolOutcome(output: String(selected.prefix(Self.maxOutputCharacters))
            + "\n[… truncated at \(Self.maxOutputCharacters) characters; read the rest with offset and limit]")
    }
}
