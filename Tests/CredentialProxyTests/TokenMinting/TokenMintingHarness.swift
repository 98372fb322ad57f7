import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Store
import TestSupport

/// Two real HTTP servers on 127.0.0.1 — a token endpoint (`login.test`) and a platform API
/// (`api.test`), named through a stub resolver — and an `OutboundClient` whose minter reads a
/// clock the test moves. The API answers 401 to tokens in `revoked` and quotes the
/// Authorization header back otherwise, so scrubbing shows.
final class TokenMintingHarness: Sendable {
    static let clientSecret = "client-SECRET-CANARY-5e1f0c9a"
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    let vault: VaultHarness
    let group: EventLoopGroup
    let client: HTTPClient
    let tokenServer: HTTPServer
    let apiServer: HTTPServer
    let tokenPort: Int
    /// The token endpoint over TLS, its certificate for `login.test` from a CA the client trusts.
    let secureTokenPort: Int
    let apiPort: Int
    let clock = Locked(start)
    /// The token endpoint's requests and the API's, in arrival order.
    let tokenRequests = Locked<[Request]>([])
    let apiRequests = Locked<[Request]>([])
    /// What the token endpoint answers: nil mints `token-N`; otherwise this status.
    let tokenFailure = Locked<HTTPStatus?>(nil)
    let tokenDelay = Locked<Duration>(.zero)
    let expiresIn = Locked(3600)
    let revoked = Locked<Set<String>>([])
    let outbound: OutboundClient

    var tokenURL: String { "http://login.test:\(tokenPort)/oauth2/v2.0/token" }
    var secureTokenURL: String { "https://login.test:\(secureTokenPort)/oauth2/v2.0/token" }
    var apiURL: String { "http://api.test:\(apiPort)/v3/conversations/c1/activities" }

    static func with<R>(_ body: (TokenMintingHarness) async throws -> R) async throws -> R {
        try await VaultHarness.with { vault in
            let harness = try TokenMintingHarness(vault: vault)
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

    private init(vault: VaultHarness) throws {
        self.vault = vault
        group = try EventLoopGroup(loopCount: 2)
        let authority = try ProxyCA.loadOrCreate(dataDirectory: vault.directory + "/token-ca", instanceID: "token-endpoint")
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.tls.additionalRoots = [.pem(authority.certificatePEM)]
        client = HTTPClient(group: group, configuration: clientConfiguration)
        let (tokenRequests, failure, delay, expiresIn) = (self.tokenRequests, tokenFailure, tokenDelay, self.expiresIn)
        tokenServer = HTTPServer(group: group, handler: ClosureHandler { request in
            let count = tokenRequests.update { seen -> Int in seen.append(request); return seen.count }
            return .async {
                try? await Task.sleep(for: delay.value)
                if let status = failure.value {
                    let error = status.code >= 500 ? "temporarily_unavailable" : "invalid_client"
                    return Response.json(Array(#"{"error":"\#(error)"}"#.utf8), status: status)
                }
                return Response.json(Array(#"{"token_type":"Bearer","access_token":"token-\#(count)","expires_in":\#(expiresIn.value)}"#.utf8))
            }
        }, logger: quietLogger)
        let (apiRequests, revoked) = (self.apiRequests, self.revoked)
        apiServer = HTTPServer(group: group, handler: ClosureHandler { request in
            apiRequests.update { $0.append(request) }
            let auth = request.headers["Authorization"] ?? "none"
            if revoked.value.contains(String(auth.dropFirst("Bearer ".count))) {
                return .response(Response.json(Array(#"{"error":"unauthorized"}"#.utf8), status: .unauthorized))
            }
            return .response(Response.json(Array("{\"you_sent\":\"\(auth)\"}".utf8)))
        }, logger: quietLogger)
        guard case .tcp(_, let tokenPort) = try tokenServer.listen(.tcp(host: "127.0.0.1", port: 0)).address,
              case .tcp(_, let apiPort) = try apiServer.listen(.tcp(host: "127.0.0.1", port: 0)).address else {
            fatalError("a TCP listener has a port")
        }
        self.tokenPort = tokenPort
        let leaf = try authority.issueLeaf(for: CertificateHost("login.test"), now: Date())
        let tls = try TLSServerContext(certificateChainPEM: leaf.certificate.pem + authority.certificatePEM,
                                       privateKeyPEM: String(decoding: try leaf.privateKey.pkcs8PEM(), as: UTF8.self))
        guard case .tcp(_, let securePort) = try tokenServer.listen(.tcp(host: "127.0.0.1", port: 0), tls: tls).address else {
            fatalError("a TCP listener has a port")
        }
        secureTokenPort = securePort
        self.apiPort = apiPort
        let clock = self.clock
        let loopback = [IPAddress("127.0.0.1")!]
        outbound = OutboundClient(store: vault.store, client: client,
                                  resolver: EgressResolver(lookup: StubLookup(answers: ["login.test": loopback, "impostor.test": loopback,
                                                                                        "api.test": loopback])),
                                  minter: TokenMinter(now: { clock.value }), logger: quietLogger)
    }

    private func stop() async {
        client.shutdown()
        await tokenServer.shutdown(grace: .seconds(2))
        await apiServer.shutdown(grace: .seconds(2))
        group.shutdown()
    }

    /// Stores the credential (hosts name both servers, so their loopback address is allowed).
    func store(_ exchange: CredentialExchange, secret: String, name: String = "teams-bot") async throws -> String {
        try await vault.store.put(CredentialSpec(name: name, hosts: ["api.test", "login.test"],
                                                 inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                                                 exchange: exchange),
                                  secret: Secret(secret), actor: nil).id
    }

    func clientCredentials() async throws -> String {
        try await store(.oauthClientCredentials(tokenURL: tokenURL, clientID: "app-id", scope: "https://api.botframework.com/.default"),
                        secret: Self.clientSecret)
    }

    func reply(_ credentialID: String) async throws -> OutboundReply {
        try await outbound.send(OutboundCall(method: "POST", url: apiURL, headers: ["Content-Type": "application/json"],
                                             body: Array(#"{"text":"hi"}"#.utf8), credentialID: credentialID))
    }

    func advance(seconds: TimeInterval) { clock.update { $0 = $0.addingTimeInterval(seconds) } }

    /// Every audit row's detail and the raw database file, for leak checks.
    func everythingStored() async throws -> String {
        let rows = try await vault.core.read { db in
            try db.query("SELECT kind, detail FROM audit").map { "\(try $0.get("kind", as: String.self)) \(try $0.get("detail", as: String.self))" }
        }.joined(separator: "\n")
        let files = try FileManager.default.contentsOfDirectory(atPath: vault.directory)
            .filter { $0.hasPrefix("warden.db") }
            .map { String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: vault.directory + "/" + $0))) ?? Data(), as: UTF8.self) }
        return rows + files.joined()
    }
}

/// A form body's fields.
func formFields(_ body: String) -> [String: String] {
    var out: [String: String] = [:]
    for pair in body.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
        if parts.count == 2 { out[parts[0]] = parts[1] }
    }
    return out
}
