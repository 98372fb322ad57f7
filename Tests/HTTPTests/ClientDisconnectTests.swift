import Foundation
import Synchronization
import Testing
@testable import HTTP
import TestSupport

/// `Request.disconnect` fires when the client of a request that is being handled goes away,
/// so a handler holding a request open (an approval hold) can stop acting for nobody.
@Suite struct ClientDisconnectTests {
    @Test func waitReturnsOnFireAtOnceWhenFiredAndOnCancellation() async throws {
        let signal = ClientDisconnect()
        async let waited: Void = signal.wait()
        try await Task.sleep(for: .milliseconds(20))
        signal.fire()
        await waited
        #expect(signal.hasFired)
        await signal.wait() // already fired: returns at once
        signal.fire()       // idempotent

        let unfired = ClientDisconnect()
        let task = Task { await unfired.wait() }
        task.cancel()
        await task.value
        #expect(!unfired.hasFired)
    }

    @Test func aHandlerLearnsThatItsClientClosedWhileItRuns() async throws {
        let observed = Mutex<[String]>([])
        let handler = ClosureHandler { request in
            .async {
                guard let disconnect = request.disconnect else { return Response(status: .internalServerError) }
                if request.path == "/hold" {
                    await disconnect.wait()
                    observed.withLock { $0.append("gone") }
                }
                return Response(status: .ok)
            }
        }
        try await withTestServer(handler) { server in
            // A client that waits for its answer is not reported gone.
            let patient = try server.connect()
            try await patient.send(get("/quick"))
            #expect(try await patient.readResponse().status == 200)

            let leaving = try server.connect()
            try await leaving.send(get("/hold"))
            try await Task.sleep(for: .milliseconds(50))
            #expect(observed.withLock { $0 }.isEmpty, "still connected")
            leaving.close()
            try await eventually("the handler sees the client leave") { observed.withLock { $0 } == ["gone"] }
        }
    }
}
