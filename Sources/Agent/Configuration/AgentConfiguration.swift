import Foundation
import HTTP

/// Everything the agent needs to know, read from its environment (docs/agent-protocol.md).
/// The keys are placeholders that the credential proxy replaces; nothing here is a secret.
public struct AgentConfiguration: Sendable {
    public var agentSocket: String
    public var proxySocket: String
    public var workspace: String
    public var anthropicKey: String
    public var openAIKey: String
    /// Where the relay to the proxy socket listens; nil runs no relay.
    public var relayAddress: SocketAddress?
    /// How long each work long-poll may wait on warden's side.
    public var pollWait: Int = 30
    public var bashTimeout: Duration = .seconds(120)
    /// Model calls within one run before it fails instead of looping forever on tools.
    public var maxModelCalls: Int = 50
    /// Longest silence on a model response. A model stream that hangs would otherwise hold the
    /// run forever, as warden has no way to tell the agent a run was cancelled but a 409.
    public var modelIdleTimeout: Duration = .seconds(300)

    public init(agentSocket: String, proxySocket: String, workspace: String = "/workspace",
                anthropicKey: String = "warden-placeholder", openAIKey: String = "warden-placeholder",
                relayAddress: SocketAddress? = nil) {
        self.agentSocket = agentSocket
        self.proxySocket = proxySocket
        self.workspace = workspace
        self.anthropicKey = anthropicKey
        self.openAIKey = openAIKey
        self.relayAddress = relayAddress
    }

    /// Reads the container's environment. Only the socket paths have defaults from the protocol;
    /// `WARDEN_WORKSPACE` and `WARDEN_RELAY_LISTEN` (`off` disables the relay) exist for tests.
    public init(environment: [String: String]) throws(ConfigurationError) {
        self.init(agentSocket: environment["WARDEN_AGENT_SOCKET"] ?? "/run/warden/agent.sock",
                  proxySocket: environment["WARDEN_PROXY_SOCKET"] ?? "/run/warden/proxy.sock",
                  workspace: environment["WARDEN_WORKSPACE"] ?? "/workspace",
                  anthropicKey: environment["ANTHROPIC_API_KEY"] ?? "warden-placeholder",
                  openAIKey: environment["OPENAI_API_KEY"] ?? "warden-placeholder")
        let relay = environment["WARDEN_RELAY_LISTEN"] ?? "127.0.0.1:3128"
        if relay != "off" {
            do { relayAddress = try SocketAddress(parsing: relay) } catch {
                throw ConfigurationError(variable: "WARDEN_RELAY_LISTEN", message: error.description)
            }
        }
        if let text = environment["WARDEN_BASH_TIMEOUT"] {
            guard let seconds = Int(text), seconds > 0 else {
                throw ConfigurationError(variable: "WARDEN_BASH_TIMEOUT", message: "'\(text)' is not a positive number of seconds")
            }
            bashTimeout = .seconds(seconds)
        }
        if let text = environment["WARDEN_POLL_WAIT"] {
            guard let seconds = Int(text), (1...60).contains(seconds) else {
                throw ConfigurationError(variable: "WARDEN_POLL_WAIT", message: "'\(text)' is not a number of seconds from 1 to 60")
            }
            pollWait = seconds
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let variable: String
    public let message: String
    public var description: String { "\(variable): \(message)" }
}
