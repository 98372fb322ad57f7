import Foundation
import HTTP

/// Whether the tests that need a Docker daemon run. In CI they always do (and fail without a
/// daemon). Outside CI they are skipped, loudly, unless the daemon's socket accepts a
/// connection: a socket file left behind by a stopped dockerd is not a daemon.
public enum DockerDaemon {
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    public static func testsRun(socket: String, suite: String) async -> Bool {
        if inCI { return true }
        if await accepts(socket) { return true }
        FileHandle.standardError.write(Data("""

            ************************************************************************
            SKIPPING \(suite): no Docker daemon answers at \(socket).
            Run ./deploy/docker.sh (or ./deploy/test.sh) to start one. In CI they run.
            ************************************************************************

            """.utf8))
        return false
    }

    /// Whether something listens on the unix socket at `path`.
    public static func accepts(_ path: String) async -> Bool {
        guard let fd = try? await SocketDialer.connect(.unix(path: path), timeout: .seconds(2)) else { return false }
        close(fd)
        return true
    }
}
