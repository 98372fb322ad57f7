import Foundation

/// The directory tool paths are relative to: `/workspace` in the container.
struct Workspace: Sendable {
    let root: String

    /// Relative paths are taken from the root. Absolute ones are used as they are: the
    /// container, not this function, is the boundary (bash can reach them anyway).
    func resolve(_ path: String) throws(ToolFailure) -> String {
        guard !path.isEmpty else { throw .invalidInput("`path` must not be empty") }
        guard !path.utf8.contains(0) else { throw .invalidInput("`path` must not contain NUL") }
        let joined = path.hasPrefix("/") ? path : (root as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }
}
