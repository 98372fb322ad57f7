import Foundation
import Testing
import TestSupport

/// Outside CI the Docker suites run only where a daemon answers; a socket file a stopped
/// dockerd left behind must read as no daemon (they failed there instead of skipping).
@Suite struct DockerDaemonProbeTests {
    private func boundSocket(at path: String, listening: Bool) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        if listening { #expect(listen(fd, 1) == 0) }
        return fd
    }

    @Test func aListeningSocketAcceptsAndAStaleOneDoesNot() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let live = directory.appendingPathComponent("live.sock").path
        let stale = directory.appendingPathComponent("stale.sock").path
        let liveFD = try boundSocket(at: live, listening: true)
        defer { close(liveFD) }
        close(try boundSocket(at: stale, listening: false))
        #expect(FileManager.default.fileExists(atPath: stale), "the file outlives its socket, as dockerd's does")
        #expect(await DockerDaemon.accepts(live))
        #expect(await !DockerDaemon.accepts(stale))
        #expect(await !DockerDaemon.accepts(directory.appendingPathComponent("none.sock").path))
    }
}
