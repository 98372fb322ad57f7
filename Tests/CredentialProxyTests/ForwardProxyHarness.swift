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
    /// The same origin over HTTPS, with a certificate for 127.0.0.1 from `upstreamCA`, which
    /// the proxy trusts (as `--upstream-ca` makes warden do).
    let secureUpstreamPort: Int
    let proxy: HTTPServer
    let socketPath: String
    /// The proxy socket's handler on TCP too, with the same session identity, for curl (which
    /// cannot use a unix-socket proxy); in a container the relay plays this part.
    let proxyPort: Int
    /// The proxy CA that signs intercepted hosts' leaves, as a PEM file agents trust.
    let proxyCAFile: String
    let client: HTTPClient
    let seen = Locked<[Request]>([])

    /// Names the stub resolver answers for, so names resolving to forbidden addresses can be tested offline.
    static let stubAnswers: [String: [IPAddress]] = [
        "metadata.test": [IPAddress("169.254.169.254")!],
        "internal.test": [IPAddress("10.0.0.1")!],
        "mapped.test": [IPAddress("::ffff:127.0.0.1")!],
        "localhost": [IPAddress("127.0.0.1")!],
    ]

    static func with<R>(rules: [RuleSpec] = [], credential: Bool = true, approvalTimeout: Duration = .seconds(180),
                        interception: Bool = true, _ body: (ForwardProxyHarness) async throws -> R) async throws -> R {
        try await VaultHarness.with { vault in
            let harness = try await ForwardProxyHarness(vault: vault, approvalTimeout: approvalTimeout,
                                                        interception: interception)
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

    private init(vault: VaultHarness, approvalTimeout: Duration, interception: Bool) async throws {
        self.vault = vault
        sessionID = try await vault.core.write { try $0.createSession(SessionInput(title: "forward"), owner: "key_test") }.id
        group = try EventLoopGroup(loopCount: 2)
        let upstreamCA = try ProxyCA.loadOrCreate(dataDirectory: vault.directory + "/upstream", instanceID: "upstream")
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.tls.additionalRoots = [.pem(upstreamCA.certificatePEM)]
        client = HTTPClient(group: group, configuration: clientConfiguration)
        let seen = self.seen
        upstream = HTTPServer(group: group, handler: ClosureHandler { request in
            seen.update { $0.append(request) }
            return .response(EchoUpstream.answer(request))
        }, logger: quietLogger)
        guard case .tcp(_, let port) = try upstream.listen(.tcp(host: "127.0.0.1", port: 0)).address else {
            fatalError("a TCP listener has a port")
        }
        upstreamPort = port
        let upstreamLeaf = try upstreamCA.issueLeaf(for: CertificateHost("127.0.0.1"), now: Date())
        let upstreamTLS = try TLSServerContext(certificateChainPEM: upstreamLeaf.certificate.pem + upstreamCA.certificatePEM,
                                               privateKeyPEM: String(decoding: try upstreamLeaf.privateKey.pkcs8PEM(), as: UTF8.self))
        guard case .tcp(_, let securePort) = try upstream.listen(.tcp(host: "127.0.0.1", port: 0), tls: upstreamTLS).address else {
            fatalError("a TCP listener has a port")
        }
        secureUpstreamPort = securePort
        let authority = try ProxyCA.loadOrCreate(dataDirectory: vault.directory, instanceID: "forward")
        proxyCAFile = authority.certificatePath
        let modelRoute = ModelRoute(store: vault.store, client: client,
                                    configuration: try ModelRouteConfiguration(anthropicBaseURL: nil, openaiBaseURL: nil),
                                    logger: quietLogger)
        let forward = ForwardProxy(store: vault.store, client: client,
                                   resolver: EgressResolver(lookup: StubLookup(answers: Self.stubAnswers)),
                                   approvalTimeout: approvalTimeout,
                                   interception: interception ? InterceptionAuthority(authority: authority) : nil,
                                   logger: quietLogger)
        proxy = HTTPServer(group: group, handler: ProxySocketHandler(modelRoute: modelRoute, forwardProxy: forward),
                           logger: quietLogger)
        socketPath = "/tmp/warden-fwd-\(UUID().uuidString.prefix(8)).sock"
        let identity = SessionSocketIdentity(sessionID: sessionID, kind: .proxy)
        try proxy.listen(.unix(path: socketPath), context: identity)
        guard case .tcp(_, let tcpPort) = try proxy.listen(.tcp(host: "127.0.0.1", port: 0), context: identity).address else {
            fatalError("a TCP listener has a port")
        }
        proxyPort = tcpPort
    }

    private func stop() async {
        client.shutdown()
        await proxy.shutdown(grace: .seconds(2))
        await upstream.shutdown(grace: .seconds(2))
        group.shutdown()
        unlink(socketPath)
    }

    var origin: String { "127.0.0.1:\(upstreamPort)" }
    var secureOrigin: String { "127.0.0.1:\(secureUpstreamPort)" }

    /// curl as the agent: through the proxy (CONNECT for https), trusting the proxy CA only.
    /// Returns curl's exit code, its output and its error text.
    func curl(_ arguments: [String]) async throws -> (Int32, String, String) {
        let process = try ChildProcess("/usr/bin/curl", ["-q", "--silent", "--show-error", "--max-time", "30",
                                                         "--noproxy", "", "--proxy", "http://127.0.0.1:\(proxyPort)",
                                                         "--cacert", proxyCAFile, "--write-out", "\n"] + arguments)
        let termination = await process.waitForExit()
        let code: Int32
        switch termination {
        case .exited(let status): code = status
        default: code = -1
        }
        return (code, process.lines.joined(separator: "\n"), process.standardError)
    }

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
