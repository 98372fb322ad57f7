/// `edit_file`: replaces one exact, unique occurrence of a string.
struct EditFileTool: Tool {
    let definition = ToolDefinition(
        name: "edit_file",
        description: """
            Replaces `old_string` with `new_string` in a file. `old_string` must match the file \
            exactly (whitespace included) and occur exactly once; include surrounding lines to make it unique.
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "path": ["type": "string", "description": "Path relative to the workspace."],
                "old_string": ["type": "string", "description": "The exact text to replace; must occur once."],
                "new_string": ["type": "string", "description": "The replacement text."],
            ],
            "required": ["path", "old_string", "new_string"],
        ])

    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        let name = try input.string("path")
        let old = Array(try input.string("old_string").utf8)
        let new = Array(try input.string("new_string").utf8)
        guard !old.isEmpty else { throw .invalidInput("`old_string` must not be empty; use write_file to create a file") }
        guard old != new else { throw .invalidInput("`old_string` and `new_string` are the same") }
        let path = try context.workspace.resolve(name)
        var bytes = try FileAccess.readBytes(path, shownAs: name)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .failed("\(name) is not UTF-8 text; edit it with bash instead.")
        }
        let matches = Self.occurrences(of: old, in: bytes)
        guard let first = matches.first else {
            throw .failed("`old_string` was not found in \(name); read the file and copy the text exactly.")
        }
        guard matches.count == 1 else {
            throw .failed("`old_string` occurs \(matches.count) times in \(name); include more surrounding text so it occurs once.")
        }
        bytes.replaceSubrange(first..<(first + old.count), with: new)
        try FileAccess.write(bytes, to: path, shownAs: name)
        return ToolOutcome(output: "Edited \(name): replaced 1 occurrence.")
    }

    /// Start offsets of the non-overlapping occurrences of `needle`, compared byte for byte
    /// (String comparison would treat "\r\n" as one character and normalise Unicode).
    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard needle.count <= haystack.count else { return [] }
        var found: [Int] = []
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
                found.append(i)
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }
}
