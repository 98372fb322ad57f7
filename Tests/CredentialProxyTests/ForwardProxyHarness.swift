import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Store
import TestSupport

/// The forward proxy end to end: an upstream HTTP server on 127.0.0.1 that echoes the request's
/// headers back, the proxy socket handler (model route + forward proxy) on a real unix socket
/// as a session's proxy.sock, and an HTTP client playing the agent.
final class ForwardProxyHarness: Sendable {
    static let secret = "fwd-REAL-secret-0123456789abcdef"
    static let placeholder = "warden-placeholder-fwd"

    let vault: VaultHarness
    /// A real session: held requests record approvals against it.
    let sessionID: String
    let group: EventLoopGroup
    let upstream: HTTPServer
    let upstreamPort: Int
    let proxy: HTTPServer
    let socketPath: String
    let client: HTTPClient
    let seen = Locked<[Request]>([])

    /// Names the stub resolver answers for, so names resolving to forbidden addresses can be tested offline.
    static let stubAnswers: [String: [IPAddress]] = [
        "metadata.test": [IPAddress("169.254.169.254")!],
        "internal.test": [IPAddress("10.0.0.1")!],
        "mapped.test": [IPAddress("::ffff:127.0.0.1")!],
    ]

    static func with<R>(rules: [RuleSpec] = [], credential: Bool = true, approvalTimeout: Duration = .seconds(180),
                        _ body: (ForwardProxyHarness) async throws -> R) async throws -> R {
        try await VaultHarness.with { vault in
            let harness = try await ForwardProxyHarness(vault: vault, approvalTimeout: approvalTimeout)
            do {
                try await vault.core.write { tx in
                    for spec in rules { _ = try tx.createRule(spec, actor: nil) }
                }
                if credential {
                    try await vault.store.put(CredentialSpec(name: "fwd-api", hosts: ["127.0.0.1", "*.test"],
                                                             inject: CredentialInjection(header: "Authorization",
                                                                                         template: "Bearer {secret}"),
                                                             placeholder: placeholder),
                                              secret: Secret(secret), actor: nil)
                }
                let result = try await body(harness)
                await harness.stop()
                return result
            } catch {
                await harness.stop()
                throw error
            }
        }
    }

    private init(vault: VaultHarness, approvalTimeout: Duration) async throws {
        self.vault = vault
        sessionID = try await vault.core.write { try $0.createSession(SessionInput(title: "forward"), owner: "key_test") }.id
        group = try EventLoopGroup(loopCount: 2)
        client = HTTPClient(group: group)
        let seen = self.seen
        upstream = HTTPServer(group: group, handler: ClosureHandler { request in
            seen.update { $0.append(request) }
            return .response(EchoUpstream.answer(request))
        }, logger: quietLogger)
        guard case .tcp(_, let port) = try upstream.listen(.tcp(host: "127.0.0.1", port: 0)).address else {
            fatalError("a TCP listener has a port")
        }
        upstreamPort = port
        let modelRoute = ModelRoute(store: vault.store, client: client,
                                    configuration: try ModelRouteConfiguration(anthropicBaseURL: nil, openaiBaseURL: nil),
                                    logger: quietLogger)
        let forward = ForwardProxy(store: vault.store, client: client,
                                   resolver: EgressResolver(lookup: StubLookup(answers: Self.stubAnswers)),
                                   approvalTimeout: approvalTimeout, logger: quietLogger)
        proxy = HTTPServer(group: group, handler: ProxySocketHandler(modelRoute: modelRoute, forwardProxy: forward),
                           logger: quietLogger)
        socketPath = "/tmp/warden-fwd-\(UUID().uuidString.prefix(8)).sock"
        try proxy.listen(.unix(path: socketPath), context: SessionSocketIdentity(sessionID: sessionID, kind: .proxy))
    }

    private func stop() async {
        client.shutdown()
        await proxy.shutdown(grace: .seconds(2))
        await upstream.shutdown(grace: .seconds(2))
        group.shutdown()
        unlink(socketPath)
    }

    var origin: String { "127.0.0.1:\(upstreamPort)" }

    /// Sends `target` (absolute-form, or authority-form for CONNECT) through the proxy socket.
    func send(_ target: String, method: String = "GET", host: String? = nil,
              headers: HTTPHeaders = [:], body requestBody: [UInt8] = []) async throws -> (ResponseHead, String) {
        var headers = headers
        headers.add("Host", host ?? Self.authority(of: target))
        let (head, body) = try await client.stream(ClientRequest(method: method, target: target, headers: headers,
                                                                 body: requestBody),
                                                   to: .unix(path: socketPath))
        return (head, String(decoding: try await body.collect(), as: UTF8.self))
    }

    static func authority(of target: String) -> String {
        guard let range = target.range(of: "://") else { return target }
        let rest = target[range.upperBound...]
        return String(rest.prefix { $0 != "/" && $0 != "?" })
    }

    func proxyAudit() async throws -> [[String: JSONValue]] {
        try await vault.audit(kind: "proxy.request", session: sessionID).map { record in
            guard case .object(let detail) = JSONValue.decode(record.detail) else { return [:] }
            return detail
        }
    }

    /// The error envelope's `error` object.
    static func error(_ body: String) -> [String: JSONValue] {
        guard case .object(let root) = JSONValue.decode(body), case .object(let error) = root["error"] else { return [:] }
        return error
    }
}

struct StubLookup: HostLookup {
    let answers: [String: [IPAddress]]
    func addresses(of name: String) async throws(HostLookupError) -> [IPAddress] {
        guard let answer = answers[name] else { throw .notFound }
        return answer
    }
}

/// An origin that quotes what it received: every header in the body, the Authorization value
/// in a header, and the bearer token base64-encoded.
enum EchoUpstream {
    static func answer(_ request: Request) -> Response {
        let lines = request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        let auth = request.headers["Authorization"] ?? "none"
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : auth
        var response = Response(status: .ok, headers: ["Content-Type": "text/plain"],
                                bytes: Array((lines + "\nb64=" + Data(token.utf8).base64EncodedString()).utf8))
        response.headers.add("X-Echo-Auth", auth)
        return response
    }
}
