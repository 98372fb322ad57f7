import Foundation
import Testing
import TestSupport
import CLinux
@testable import HTTP

@Suite("Server: graceful shutdown")
struct ServerShutdownTests {
    @Test func inFlightRequestFinishesAndNewConnectionsAreRefused() async throws {
        let started = Locked(false)
        let release = Locked(false)
        let handler = ClosureHandler { request in
            guard request.path == "/work" else { return .response(.text("ok")) }
            return .async {
                started.set(true)
                // About a second of work, and never done before the test has seen shutdown begin.
                try? await Task.sleep(for: .seconds(1))
                _ = await eventually(timeout: .seconds(10)) { release.value }
                return .text("finished")
            }
        }
        let config = testConfiguration { $0.idleTimeout = .seconds(60) }
        try await withTestServer(handler, configuration: config) { server in
            // An idle keep-alive connection...
            let idle = try server.connect()
            try await idle.send(get("/ping"))
            #expect(try await idle.readResponse().status == 200)
            // ...and one with a request in flight.
            let busy = try server.connect()
            try await busy.send(get("/work"))
            #expect(await eventually { started.value }, "the handler started")

            let shutdown = Task { await server.server.shutdown(grace: .seconds(10)) }
            #expect(await eventually { server.server.core.isDraining })

            // New connections are refused.
            #expect(throws: RawClientError.connectFailed(errno: ECONNREFUSED)) { _ = try server.connect() }

            // The idle connection is closed without waiting for its idle timeout.
            #expect(await idle.waitForClose().isCleanClose)
            release.set(true)

            // The in-flight request completes, and is told the connection ends.
            let response = try await busy.readResponse()
            #expect(response.status == 200)
            #expect(response.bodyString == "finished")
            #expect(response.closes)
            #expect(await busy.waitForClose().isCleanClose)

            await shutdown.value
            #expect(server.server.core.openConnections == 0)
        }
    }

    @Test func pipelinedRequestBehindTheInFlightOneIsNotStarted() async throws {
        let started = Locked(0)
        let release = Locked(false)
        let handler = ClosureHandler { request in
            started.update { $0 += 1 }
            return .async {
                _ = await eventually(timeout: .seconds(10)) { release.value }
                return .text(request.path)
            }
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/first") + get("/second"))
            #expect(await eventually { started.value == 1 })
            let shutdown = Task { await server.server.shutdown(grace: .seconds(10)) }
            #expect(await eventually { server.server.core.isDraining })
            release.set(true)
            let response = try await client.readResponse()
            #expect(response.bodyString == "/first")
            #expect(response.closes)
            #expect(await client.waitForClose().isCleanClose)
            await shutdown.value
            #expect(started.value == 1)
        }
    }

    @Test func streamsAreEndedCleanlyOnShutdown() async throws {
        let events = Locked(0)
        let handler = ClosureHandler { _ in
            .response(Response(status: .ok, headers: ["Content-Type": "text/event-stream"], body: .stream { writer in
                while true {
                    try await writer.write("data: tick\n\n")
                    events.update { $0 += 1 }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }))
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/events"))
            #expect(await eventually { events.value >= 2 })
            let shutdown = Task { await server.server.shutdown(grace: .seconds(10)) }
            // The stream ends with its terminal chunk, so the client sees a complete body.
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.chunked)
            #expect(response.bodyString.hasPrefix("data: tick\n\n"))
            #expect(await client.waitForClose().isCleanClose)
            await shutdown.value
        }
    }

    @Test func graceExpiryClosesWhatIsLeft() async throws {
        let release = Locked(false)
        let returned = Locked(false)
        let handler = ClosureHandler { _ in
            .async {
                // Outlives the grace period, but returns before the test ends, so nothing
                // touches the loops after the group is shut down.
                _ = await eventually(timeout: .seconds(10)) { release.value }
                returned.set(true)
                return .text("too late")
            }
        }
        try await withTestServer(handler, configuration: testConfiguration()) { server in
            let client = try server.connect()
            try await client.send(get("/forever"))
            #expect(await eventually { server.server.statistics.requests.load(ordering: .relaxed) == 1 })
            await server.server.shutdown(grace: .milliseconds(200))
            #expect(server.server.core.openConnections == 0)
            #expect(await client.waitForClose().isClosed)
            release.set(true)
            #expect(await eventually { returned.value })
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `EventLoop.execute` after `group.shutdown()` (an `.async` handler or a stream that
    /// finishes late) must not write its wake-up into the loop's closed eventfd: by then that
    /// descriptor number may belong to something else (a socket, a database file).
    /// Runs in a child process so the descriptor numbers are predictable.
    @Test func executeAfterShutdownDoesNotWriteIntoAReusedDescriptor() async {
        await #expect(processExitsWith: .success) {
            let group = try EventLoopGroup(loopCount: 1)
            let loop = group.loops[0]
            group.shutdown()
            // Take the lowest free descriptors, which include the ones the loop just closed.
            var sockets: [Int32] = []
            for _ in 0..<8 {
                var pair: [Int32] = [-1, -1]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { continue }
                sockets += pair
            }
            loop.execute {}
            var hit: [Int32] = []
            for fd in sockets {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, 0) > 0 { hit.append(fd) }
            }
            #expect(hit.isEmpty, "EventLoop.execute after shutdown wrote into descriptor(s) \(hit) it no longer owns")
        }
    }

    /// A late task that registers with a stopped loop must fail, and must not reach the loop
    /// that took over the stopped one's descriptor numbers (it would get events for a token
    /// that names one of its own handlers). Child process, for predictable descriptor numbers.
    @Test func registeringWithAStoppedLoopFailsAndReachesNoOtherLoop() async {
        await #expect(processExitsWith: .success) {
            let stopped = try EventLoopGroup(loopCount: 1)
            let loop = stopped.loops[0]
            stopped.shutdown()
            let other = try EventLoopGroup(loopCount: 1) // the lowest free descriptors
            var pair: [Int32] = [-1, -1]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
            let fd = pair[0]
            let registered = Locked(false)
            loop.execute {
                registered.set((try? loop.register(IgnoringHandler(), fd: fd, events: EPOLLIN.rawValue)) != nil)
            }
            #expect(!registered.value, "a stopped loop accepted a registration")
            let inOther = clinux_epoll_ctl(other.loops[0].epollFD, EPOLL_CTL_DEL, fd, 0, 0) == 0
            #expect(!inOther, "a stopped loop registered a descriptor with another loop's epoll")
            other.shutdown()
        }
    }

    @Test func shutdownOfAUnixListenerRemovesTheSocket() async throws {
        try await withTestServer(echoHandler, configuration: testConfiguration(), unix: true) { server in
            guard case .unix(let path) = server.address else { Issue.record("not unix"); return }
            #expect(FileManager.default.fileExists(atPath: path))
            let client = try server.connect()
            try await client.send(get("/healthz"))
            #expect(try await client.readResponse().status == 200)
            await server.server.shutdown(grace: .seconds(5))
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(throws: RawClientError.self) { _ = try RawClient(unixPath: path) }
        }
    }
}

private final class IgnoringHandler: EventHandler {
    func handleEvent(_ flags: UInt32) {}
    func timerFired(scheduledFor deadline: UInt64, now: UInt64) {}
}
