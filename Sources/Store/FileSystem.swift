import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FileSystem {
    static func createParentDirectory(of path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw StoreError.misuse("cannot create directory \(parent.path): \(error.localizedDescription)")
        }
    }

    /// SQLite syncs the directory when it creates a journal or WAL, not when it creates the
    /// database file itself; without this a fresh database could vanish on power loss.
    static func syncParentDirectory(of path: String) {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(parent, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }
}
