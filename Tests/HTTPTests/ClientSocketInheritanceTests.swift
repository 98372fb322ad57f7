import Foundation
import Testing
@testable import HTTP

/// All test targets share one process, and some tests start child processes (bash commands
/// of the agent tools, `warden serve`, the store crash probe, Swift Testing's exit tests).
/// A test socket without close-on-exec is inherited by every child started while it is open,
/// and its `close()` then only drops the test's reference: the connection stays up for as
/// long as the child lives, and the server never sees the client go.
@Suite struct ClientSocketInheritanceTests {
    @Test func aClientCloseReachesTheServerWhileAChildProcessRuns() async throws {
        // Only the client's close can end the connection within the test's time.
        let configuration = testConfiguration { $0.idleTimeout = .seconds(120) }
        try await withTestServer(echoHandler, configuration: configuration) { server in
            let client = try server.connect()
            try await client.send(get("/healthz"))
            #expect(try await client.readResponse().bodyString == "ok")
            #expect(server.server.core.openConnections == 1)

            // A child started while the client is open, as another test might start one.
            var child: pid_t = 0
            let arguments: [String] = ["/bin/sleep", "30"]
            let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            #expect(posix_spawn(&child, "/bin/sleep", nil, nil, argv, environ) == 0)
            defer {
                kill(child, SIGKILL)
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            }

            client.close()
            #expect(await eventually(timeout: .seconds(10)) { server.server.core.openConnections == 0 },
                    "the server still holds the connection: the child kept the client's socket open")
        }
    }

    @Test func rawClientSocketsAreCloseOnExec() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            #expect(fcntl(client.fd, F_GETFD) & FD_CLOEXEC != 0)
        }
        try await withTestServer(echoHandler, configuration: testConfiguration(), unix: true) { server in
            let client = try server.connect()
            #expect(fcntl(client.fd, F_GETFD) & FD_CLOEXEC != 0)
        }
    }
}
