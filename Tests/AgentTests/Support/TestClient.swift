import HTTP

/// An HTTP client on its own event loop, for tests. The client has to outlive its loop: a
/// connection refers back to the client's pool until the loop has closed it. Holding both
/// here and shutting them down in that order keeps it so.
final class TestClient: Sendable {
    let group: EventLoopGroup
    let http: HTTPClient

    private init() throws {
        group = try EventLoopGroup(loopCount: 1)
        http = HTTPClient(group: group)
    }

    private func shutdown() {
        http.shutdown()
        group.shutdown() // runs the closes queued above before the loop ends
    }

    static func with<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = try TestClient()
        defer { client.shutdown() }
        return try await body(client.http)
    }
}
