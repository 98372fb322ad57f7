import Foundation

public struct SchedulerConfiguration: Sendable {
    /// Absolute; holds `sessions/<id>/workspace` and `sessions/<id>/run` (the sockets).
    public var dataDirectory: URL
    /// Labels this warden's containers so a restart finds its orphans and no other warden's.
    public var instanceID: String
    public var image = "warden-agent:latest"
    /// Overrides the image's entrypoint (tests).
    public var command: [String]?
    public var maxContainers = 4
    /// A warm container with nothing to do is stopped after this long.
    public var idleTimeout: Duration = .seconds(300)
    /// A run still going after this long is failed and its container killed.
    public var runTimeout: Duration = .seconds(1800)
    /// Starting a container is retried this many times (with doubling backoff) before the run fails.
    public var startAttempts = 3
    public var startBackoff: Duration = .milliseconds(500)
    public var limits = ContainerLimits()
    /// The proxy CA certificate mounted read-only into every container, once there is one.
    public var caCertificate: String?
    /// Added to the container's environment; never secrets.
    public var environment: [String: String] = [:]
    /// The session's `agent` object is merged over these for every work item.
    public var defaultProvider = "anthropic"
    public var defaultModel = "claude-sonnet-4-5"

    public init(dataDirectory: URL, instanceID: String) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.instanceID = instanceID
    }

    /// The environment of SPEC §4: sockets, placeholders, the relay as proxy and the CA bundle.
    var containerEnvironment: [String: String] {
        let ca = caCertificate == nil ? "/etc/ssl/certs/ca-certificates.crt" : "/etc/warden/ca.crt"
        var env: [String: String] = [
            "WARDEN_AGENT_SOCKET": "/run/warden/agent.sock",
            "WARDEN_PROXY_SOCKET": "/run/warden/proxy.sock",
            "ANTHROPIC_API_KEY": "warden-placeholder",
            "OPENAI_API_KEY": "warden-placeholder",
            "HTTP_PROXY": "http://127.0.0.1:3128", "HTTPS_PROXY": "http://127.0.0.1:3128",
            "http_proxy": "http://127.0.0.1:3128", "https_proxy": "http://127.0.0.1:3128",
            "NO_PROXY": "localhost,127.0.0.1", "no_proxy": "localhost,127.0.0.1",
            "SSL_CERT_FILE": ca, "REQUESTS_CA_BUNDLE": ca, "NODE_EXTRA_CA_CERTS": ca,
            "CURL_CA_BUNDLE": ca, "GIT_SSL_CAINFO": ca,
            "HOME": "/workspace",
        ]
        env.merge(environment) { _, extra in extra }
        return env
    }
}
