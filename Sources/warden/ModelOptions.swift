import ArgumentParser
import Core
import CredentialProxy
import Foundation
import HTTP
import Logging

/// `warden serve`'s model-provider options and the proxy.sock handler they configure.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("anthropic-base-url"),
            help: "Where the model route forwards Anthropic calls (a gateway or a mock, if not Anthropic's API).")
    var anthropicBaseURL: String = "https://api.anthropic.com"

    @Option(name: .customLong("upstream-ca"),
            help: "A PEM CA certificate to trust for https upstreams, besides the system's (private CAs, tests). Repeatable.")
    var upstreamCA: [String] = []

    @Option(name: .customLong("openai-base-url"),
            help: "Where the model route forwards OpenAI-compatible calls, e.g. a local model server at http://127.0.0.1:11434.")
    var openaiBaseURL: String = "https://api.openai.com"

    @Option(name: .customLong("approval-timeout"),
            help: "Seconds a request held by an approve rule waits for a person before it is refused as expired.")
    var approvalTimeout: Int = 180

    func validate() throws {
        guard (1...86_400).contains(approvalTimeout) else {
            throw ValidationError("--approval-timeout must be from 1 to 86400 seconds, not \(approvalTimeout).")
        }
    }

    /// Opens the vault (failing fast on a wrong master key) and stores the model keys found in
    /// the environment. The API and the proxy share the returned store.
    func openCredentials(core: WardenCore, dataDirectory: URL, logger: Logger) async throws -> CredentialStore {
        let environment = ProcessInfo.processInfo.environment
        let vault = try Vault.load(dataDirectory: dataDirectory.path, environment: environment)
        let credentials = CredentialStore(core: core, vault: vault)
        let count = try await credentials.verifyVault()
        let stored = try await credentials.storeModelKeys(from: environment)
        logger.info("credential vault open", metadata: ["credentials": "\(count)",
                                                        "model_keys_from_environment": "\(stored.map(\.rawValue))"])
        return credentials
    }

    /// An HTTP client for upstreams: the system roots plus every `--upstream-ca`.
    func upstreamClient(group: EventLoopGroup) throws -> HTTPClient {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.tls.additionalRoots = upstreamCA.map { .file($0) }
        let client = HTTPClient(group: group, configuration: clientConfiguration)
        // Load the trust store now: a bad --upstream-ca is a start-up error, not a failed run.
        do { try client.prepareTLS() } catch { throw ValidationError("--upstream-ca: \(error)") }
        return client
    }

    /// The handler for every session's proxy.sock: `/model/…` to the model route, absolute-form
    /// `http://…` (and CONNECT, TRACE) to the forward proxy.
    func proxyHandler(credentials: CredentialStore, group: EventLoopGroup, authority: ProxyCA) throws -> any HTTPHandler {
        let configuration = try ModelRouteConfiguration(anthropicBaseURL: anthropicBaseURL, openaiBaseURL: openaiBaseURL)
        let client = try upstreamClient(group: group)
        let logger = Logger(label: "warden.proxy")
        let modelRoute = ModelRoute(store: credentials, client: client, configuration: configuration, logger: logger)
        let forwardProxy = ForwardProxy(store: credentials, client: client, approvalTimeout: .seconds(approvalTimeout),
                                        modelHosts: configuration.egressHosts,
                                        interception: InterceptionAuthority(authority: authority), logger: logger)
        return ProxySocketHandler(modelRoute: modelRoute, forwardProxy: forwardProxy)
    }
}
