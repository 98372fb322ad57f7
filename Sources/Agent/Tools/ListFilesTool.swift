import Foundation

/// `list_files`: a directory's entries, optionally all the way down.
struct ListFilesTool: Tool {
    static let maxEntries = 1000
    /// Listed but not descended into: their contents are noise to the model.
    static let opaqueDirectories: Set<String> = [".git", "node_modules", ".build"]

    let definition = ToolDefinition(
        name: "list_files",
        description: """
            Lists a directory of the workspace (default: the workspace itself). Directories end in /. \
            With `recursive`, lists everything below it (not inside .git, node_modules or .build), up to \(maxEntries) entries.
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "path": ["type": "string", "description": "Directory relative to the workspace; default \".\"."],
                "recursive": ["type": "boolean", "description": "List subdirectories too."],
            ],
        ])

    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        let name = try input.optionalString("path") ?? "."
        let recursive = try input.optionalBool("recursive") ?? false
        let root = try context.workspace.resolve(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw .failed("\(name) does not exist.")
        }
        guard isDirectory.boolValue else { throw .failed("\(name) is a file; use read_file.") }
        var entries: [String] = []
        var truncated = false
        try list(root, prefix: "", recursive: recursive, into: &entries, truncated: &truncated)
        if entries.isEmpty { return ToolOutcome(output: "\(name) is empty.") }
        let note = truncated ? "\n[… stopped at \(Self.maxEntries) entries; list a subdirectory for more]" : ""
        return ToolOutcome(output: entries.joined(separator: "\n") + note)
    }

    private func list(_ directory: String, prefix: String, recursive: Bool, into entries: inout [String],
                      truncated: inout Bool) throws(ToolFailure) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            // Below the top, an unreadable directory is listed and skipped rather than failing it all.
            guard prefix.isEmpty else { return }
            throw .failed("\(directory) cannot be listed: \(error.localizedDescription)")
        }
        for name in names {
            guard entries.count < Self.maxEntries else {
                truncated = true
                return
            }
            let path = (directory as NSString).appendingPathComponent(name)
            // Not following symbolic links keeps a link loop from listing forever.
            let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            guard type == .typeDirectory else {
                entries.append(prefix + name)
                continue
            }
            entries.append(prefix + name + "/")
            if recursive && !Self.opaqueDirectories.contains(name) {
                try list(path, prefix: prefix + name + "/", recursive: true, into: &entries, truncated: &truncated)
                if truncated { return }
            }
        }
    }
}
