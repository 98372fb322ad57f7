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

    /// Opens the vault (failing fast on a wrong master key), stores the model keys found in the
    /// environment, and returns the handler for every session's proxy.sock.
    func proxyHandler(core: WardenCore, dataDirectory: URL, group: EventLoopGroup, logger: Logger) async throws -> any HTTPHandler {
        let environment = ProcessInfo.processInfo.environment
        let configuration = try ModelRouteConfiguration(anthropicBaseURL: anthropicBaseURL, openaiBaseURL: openaiBaseURL)
        let vault = try Vault.load(dataDirectory: dataDirectory.path, environment: environment)
        let credentials = CredentialStore(core: core, vault: vault)
        let count = try await credentials.verifyVault()
        let stored = try await credentials.storeModelKeys(from: environment)
        logger.info("credential vault open", metadata: ["credentials": "\(count)",
                                                        "model_keys_from_environment": "\(stored.map(\.rawValue))"])
        return ModelRoute(store: credentials, client: HTTPClient(group: group), configuration: configuration,
                          logger: Logger(label: "warden.proxy"))
    }
}
