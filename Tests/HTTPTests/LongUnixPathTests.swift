import Foundation
import Testing
@testable import HTTP

/// sun_path holds 107 bytes; a data directory can be deeper. Both listening and connecting must
/// work at any depth (the per-session agent and proxy sockets live under the data directory).
@Suite struct LongUnixPathTests {
    @Test func serverAndClientWorkOnASocketPathLongerThanSunPath() async throws {
        var directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-long-\(UUID().uuidString.prefix(8))")
        let root = directory
        while directory.path.utf8.count < 160 { directory.appendPathComponent("deeper-directory") }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let path = directory.appendingPathComponent("agent.sock").path
        #expect(path.utf8.count > 108)

        let group = try EventLoopGroup(loopCount: 1)
        let server = HTTPServer(group: group, handler: ClosureHandler { _ in .response(.text("deep")) })
        try server.listen(.unix(path: path))
        #expect(FileManager.default.fileExists(atPath: path), "the socket is created at the long path itself")

        let client = HTTPClient(group: group)
        let response = try await client.execute(ClientRequest(target: "/"), to: .unix(path: path))
        #expect(response.bodyString == "deep")

        client.shutdown()
        await server.shutdown(grace: .seconds(1))
        #expect(!FileManager.default.fileExists(atPath: path))
        withExtendedLifetime(client) { group.shutdown() }
    }
}
