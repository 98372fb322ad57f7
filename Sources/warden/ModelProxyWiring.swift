import ArgumentParser
import Core
import CredentialProxy
import Foundation
import HTTP
import Logging

/// `warden serve`'s model-provider options and the proxy.sock handler they configure.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("anthropic-base-url"),
            help: "Where the model route forwards Anthropic calls (http:// only until the proxy issue brings TLS upstreams).")
    var anthropicBaseURL: String?

    @Option(name: .customLong("openai-base-url"),
            help: "Where the model route forwards OpenAI-compatible calls, e.g. a local model server (http://).")
    var openaiBaseURL: String?

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

    /// The handler for every session's proxy.sock.
    func proxyHandler(credentials: CredentialStore, group: EventLoopGroup) throws -> any HTTPHandler {
        let configuration = try ModelRouteConfiguration(anthropicBaseURL: anthropicBaseURL, openaiBaseURL: openaiBaseURL)
        return ModelRoute(store: credentials, client: HTTPClient(group: group), configuration: configuration,
                          logger: Logger(label: "warden.proxy"))
    }
}
