import Foundation
import HTTP
import TestSupport

/// A real HTTP server on 127.0.0.1 publishing a JWKS at `/jwks` and OpenID metadata pointing
/// to it at `/openid`, as login.botframework.com does; what it serves can change mid-test, and
/// it counts the fetches, so the cache's fetch, refetch and failure paths run for real.
public final class KeySetServer: Sendable {
    public struct Published: Sendable {
        public var status = 200
        public var document: [UInt8] = []
        public var cacheControl: String?
    }

    public let group: EventLoopGroup
    public let client: HTTPClient
    private let server: HTTPServer
    public let port: Int
    public let published = Locked(Published())
    /// Paths requested, in order.
    public let requests = Locked<[String]>([])

    public var keySetURL: String { "http://127.0.0.1:\(port)/jwks" }
    public var openIDURL: String { "http://127.0.0.1:\(port)/openid" }
    public var keySetFetches: Int { requests.value.filter { $0 == "/jwks" }.count }

    public static func with<R>(_ keys: [[String: Any]], _ body: (KeySetServer) async throws -> R) async throws -> R {
        let server = try KeySetServer()
        server.publish(keys)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private init() throws {
        group = try EventLoopGroup(loopCount: 1)
        client = HTTPClient(group: group)
        let published = self.published, requests = self.requests
        let portBox = Locked(0)
        server = HTTPServer(group: group, handler: ClosureHandler { request in
            requests.update { $0.append(request.path) }
            switch request.path {
            case "/openid":
                return .response(.json(TestJWT.json(["issuer": "https://api.botframework.com",
                                                     "jwks_uri": "http://127.0.0.1:\(portBox.value)/jwks"])))
            case "/jwks":
                let now = published.value
                var response = Response.json(now.document, status: HTTPStatus(now.status))
                if let cacheControl = now.cacheControl { response.headers.add("Cache-Control", cacheControl) }
                return .response(response)
            default:
                return .response(.text("not found", status: .notFound))
            }
        })
        guard case .tcp(_, let port) = try server.listen(.tcp(host: "127.0.0.1", port: 0)).address else {
            fatalError("a TCP listener has a port")
        }
        self.port = port
        portBox.set(port)
    }

    public func publish(_ keys: [[String: Any]], status: Int = 200, cacheControl: String? = nil) {
        published.set(Published(status: status, document: TestJWT.jwks(keys), cacheControl: cacheControl))
    }

    public func stop() async {
        client.shutdown()
        await server.shutdown(grace: .seconds(1))
        group.shutdown()
    }
}
