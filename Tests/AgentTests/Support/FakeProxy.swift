import Foundation
import HTTP

/// The credential proxy's model route for tests: `/model/anthropic/...` and `/model/openai/...`
/// are forwarded to the scripted model, the response streamed back as it arrives. `/echo`
/// answers with what it got, for the relay.
final class FakeProxy: Sendable {
    let socketPath: String
    private let group: EventLoopGroup
    private let server: HTTPServer
    private let client: HTTPClient

    init(socketPath: String, model: SocketAddress) throws {
        self.socketPath = socketPath
        group = try EventLoopGroup(loopCount: 1)
        let client = HTTPClient(group: group)
        self.client = client
        var router = Router()
        for (prefix, path) in [("anthropic", "/v1/messages"), ("openai", "/v1/chat/completions")] {
            router.post("/model/\(prefix)\(path)", .async { request in
                try await Self.forward(request, to: path, at: model, client)
            })
        }
        router.post("/echo", .inline { request in
            Response(headers: ["X-Echo-Host": request.headers["Host"] ?? ""], bytes: request.body)
        })
        server = HTTPServer(group: group, handler: router)
        try server.listen(.unix(path: socketPath))
    }

    func stop() async {
        client.shutdown()
        await server.shutdown(grace: .seconds(1))
        group.shutdown()
    }

    private static func forward(_ request: Request, to path: String, at model: SocketAddress,
                                _ client: HTTPClient) async throws -> Response {
        var headers = request.headers
        headers.remove("Host")
        let upstream = ClientRequest(method: "POST", target: path, headers: headers, body: request.body)
        let head: ResponseHead, body: ClientBodyStream
        do {
            (head, body) = try await client.stream(upstream, to: model, idleTimeout: .some(nil))
        } catch {
            throw HTTPError(.badGateway, code: "upstream_unreachable", message: "\(error)")
        }
        var responseHeaders: HTTPHeaders = [:]
        if let type = head.headers["Content-Type"] { responseHeaders.add("Content-Type", type) }
        return Response(status: head.status, headers: responseHeaders, body: .stream { writer in
            while let chunk = try await body.next() { try await writer.write(chunk) }
        })
    }
}
