import Foundation

/// Whether the tests that need a Docker daemon run. In CI they always do (and fail without a
/// daemon). Outside CI they are skipped, loudly, unless the daemon's socket accepts a
/// connection: a socket file left behind by a stopped dockerd is not a daemon.
public enum DockerDaemon {
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    public static func testsRun(socket: String, suite: String) -> Bool {
        if inCI { return true }
        if accepts(socket) { return true }
        FileHandle.standardError.write(Data("""

            ************************************************************************
            SKIPPING \(suite): no Docker daemon answers at \(socket).
            Run ./deploy/docker.sh (or ./deploy/test.sh) to start one. In CI they run.
            ************************************************************************

            """.utf8))
        return false
    }

    /// Whether something listens on the unix socket at `path`.
    public static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
