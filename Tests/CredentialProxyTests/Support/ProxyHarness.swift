import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Store
import TestSupport

/// The model route end to end: a scripted upstream model server on 127.0.0.1 (the HTTP
/// module's own server), the route serving a real unix socket as a session's proxy.sock, and an
/// HTTP client playing the agent.
final class ProxyHarness: Sendable {
    static let sessionID = "ses_01TESTSESSION0000000000000"
    static let realKey = "sk-ant-api03-REAL-KEY-0123456789abcdef"

    let vault: VaultHarness
    let group: EventLoopGroup
    let upstream: HTTPServer
    let upstreamPort: Int
    /// Where the "down" upstream points: refused for as long as the harness lives.
    let reserved: ReservedPort
    let proxy: HTTPServer
    let socketPath: String
    let client: HTTPClient
    /// Requests the upstream received, in order.
    let seen = Locked<[Request]>([])
    /// Holds the upstream's streamed responses at their midpoint until the test opens it.
    let gate = Gate()

    /// `upstreamDown`: the anthropic base URL points at a port where nothing listens.
    static func with<R>(storeKeys: Bool = true, upstreamDown: Bool = false,
                        _ body: (ProxyHarness) async throws -> R) async throws -> R {
        try await VaultHarness.with { vault in
            let harness = try await ProxyHarness(vault: vault, upstreamDown: upstreamDown)
            if storeKeys {
                try await vault.store.storeModelKey(provider: .anthropic, secret: Secret(realKey))
                try await vault.store.storeModelKey(provider: .openai, secret: Secret(realKey))
            }
            do {
                let result = try await body(harness)
                await harness.stop()
                return result
            } catch {
                await harness.stop()
                throw error
            }
        }
    }

    private init(vault: VaultHarness, upstreamDown: Bool) async throws {
        reserved = try ReservedPort()
        self.vault = vault
        group = try EventLoopGroup(loopCount: 2)
        client = HTTPClient(group: group)
        let seen = self.seen, gate = self.gate
        upstream = HTTPServer(group: group, handler: ClosureHandler { request in
            seen.update { $0.append(request) }
            return .response(ScriptedUpstream.answer(request, gate: gate))
        }, logger: quietLogger)
        guard case .tcp(_, let port) = try upstream.listen(.tcp(host: "127.0.0.1", port: 0)).address else {
            fatalError("a TCP listener has a port")
        }
        upstreamPort = port
        let anthropicPort = upstreamDown ? reserved.port : port
        let configuration = try ModelRouteConfiguration(anthropicBaseURL: "http://127.0.0.1:\(anthropicPort)",
                                                        openaiBaseURL: "http://127.0.0.1:\(port)/v1")
        proxy = HTTPServer(group: group, handler: ModelRoute(store: vault.store, client: client, configuration: configuration,
                                                             logger: quietLogger), logger: quietLogger)
        socketPath = "/tmp/warden-proxy-\(UUID().uuidString.prefix(8)).sock"
        try proxy.listen(.unix(path: socketPath), context: SessionSocketIdentity(sessionID: Self.sessionID, kind: .proxy))
    }

    private func stop() async {
        gate.open() // never leave an upstream producer waiting
        client.shutdown()
        await proxy.shutdown(grace: .seconds(2))
        await upstream.shutdown(grace: .seconds(2))
        group.shutdown()
        unlink(socketPath)
    }

    /// The agent's request: headers as a container would send them, with the placeholder key.
    func send(_ path: String, headers: HTTPHeaders = ["x-api-key": "warden-placeholder"],
              body: String = #"{"model":"m","stream":true}"#, method: String = "POST") async throws -> (ResponseHead, ClientBodyStream) {
        var headers = headers
        headers.add("Content-Type", "application/json")
        return try await client.stream(ClientRequest(method: method, target: path, headers: headers, body: Array(body.utf8)),
                                       to: .unix(path: socketPath))
    }

    func sendAndCollect(_ path: String, headers: HTTPHeaders = ["x-api-key": "warden-placeholder"],
                        method: String = "POST") async throws -> (ResponseHead, String) {
        let (head, body) = try await send(path, headers: headers, method: method)
        return (head, String(decoding: try await body.collect(), as: UTF8.self))
    }

    func proxyAudit() async throws -> [[String: JSONValue]] {
        try await vault.audit(kind: "proxy.request", session: Self.sessionID).map { record in
            guard case .object(let detail) = JSONValue.decode(record.detail) else { return [:] }
            return detail
        }
    }
}

/// What the fake model provider answers, by path.
enum ScriptedUpstream {
    static let firstEvent = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
    static let laterEvents = "event: content_block_delta\ndata: {\"delta\":{\"text\":\"Hello\"}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

    static func answer(_ request: Request, gate: Gate) -> Response {
        let key = request.headers["x-api-key"] ?? request.headers["Authorization"] ?? "none"
        switch request.path {
        case "/v1/messages":
            // SSE: the first event, then nothing until the test has seen that event arrive.
            return Response(status: .ok, headers: ["Content-Type": "text/event-stream", "X-Upstream": "yes",
                                                   "Keep-Alive": "timeout=5", "Upgrade": "h2c"],
                            body: .stream { writer in
                try await writer.write(firstEvent)
                await gate.wait()
                try await writer.write(laterEvents)
            })
        case "/v1/echo", "/v1/chat/completions":
            // A provider that quotes the key back, in a header and in the body.
            var response = Response.json(Array("{\"you_sent\":\"\(key)\"}".utf8))
            response.headers.add("X-Echo", key)
            return response
        case "/v1/split":
            // The key split across two chunks, the second sent only once the first was relayed.
            let bytes = Array(key.utf8)
            return Response(status: .ok, headers: ["Content-Type": "text/plain"], body: .stream { writer in
                try await writer.write(Array("before ".utf8) + bytes[..<9])
                await gate.wait()
                try await writer.write(Array(bytes[9...]) + Array(" after".utf8))
            })
        case "/v1/empty":
            return .empty(.noContent)
        default:
            return Response.json(Array("{\"error\":\"no such upstream path\"}".utf8), status: .notFound)
        }
    }
}
