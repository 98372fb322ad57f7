import Foundation

/// A session's host directories: the workspace (outlives containers) and the run directory
/// holding its two sockets, both bind-mounted into the container.
struct SessionDirectories: Sendable {
    let workspace: URL
    let run: URL

    init(root: URL, session: String) {
        let base = root.appendingPathComponent("sessions").appendingPathComponent(session)
        workspace = base.appendingPathComponent("workspace")
        run = base.appendingPathComponent("run")
    }

    var agentSocket: String { run.appendingPathComponent("agent.sock").path }
    var proxySocket: String { run.appendingPathComponent("proxy.sock").path }

    /// Creates both directories so the container's non-root user (65534) can use them: owned by
    /// it when warden runs as root, world-writable otherwise.
    func create(containerUser: uid_t = 65534) throws {
        let fm = FileManager.default
        for dir in [workspace, run] {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            if geteuid() == 0 {
                guard chown(dir.path, containerUser, containerUser) == 0 else { throw DirectoryError(path: dir.path, errno: errno) }
                chmod(dir.path, 0o755)
            } else {
                chmod(dir.path, 0o777)
            }
        }
    }
}

struct DirectoryError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32
    var description: String { "Could not prepare \(path): \(String(cString: strerror(errno)))." }
}
