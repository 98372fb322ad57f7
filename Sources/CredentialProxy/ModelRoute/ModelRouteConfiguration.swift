/// Where the model route sends each provider's requests. Built at start-up from
/// `--anthropic-base-url` / `--openai-base-url`, so a bad URL stops warden before it serves.
public struct ModelRouteConfiguration: Sendable {
    public private(set) var upstreams: [ModelProvider: UpstreamURL] = [:]
    /// Longest quiet period while waiting for the upstream (connect, first byte, between
    /// chunks): models can think for minutes before answering a non-streaming request.
    public var upstreamIdleTimeout: Duration

    /// A nil or empty URL leaves that provider unconfigured: its requests get a 503 saying so.
    public init(anthropicBaseURL: String?, openaiBaseURL: String?,
                upstreamIdleTimeout: Duration = .seconds(600)) throws(ModelRouteConfigurationError) {
        self.upstreamIdleTimeout = upstreamIdleTimeout
        for (provider, url) in [(ModelProvider.anthropic, anthropicBaseURL), (.openai, openaiBaseURL)] {
            guard let url, !url.isEmpty else { continue }
            do {
                upstreams[provider] = try UpstreamURL(parsing: url)
            } catch {
                throw ModelRouteConfigurationError(provider: provider, url: url, problem: error)
            }
        }
    }

    public func upstream(for provider: ModelProvider) -> UpstreamURL? { upstreams[provider] }

    /// The model API hosts, which the forward proxy allows without a rule (SPEC §5).
    public var egressHosts: [EgressHost] {
        upstreams.values.compactMap { upstream in
            let host = upstream.authority.hasPrefix("[")
                ? String(upstream.authority.prefix { $0 != "]" }.dropFirst())
                : String(upstream.authority.split(separator: ":", maxSplits: 1)[0])
            return try? EgressHost(parsing: host)
        }
    }
}

public struct ModelRouteConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let provider: ModelProvider
    public let url: String
    public let problem: UpstreamURLError

    /// The command-line option that sets this provider's URL.
    public var option: String { "--\(provider.rawValue)-base-url" }

    public var description: String {
        switch problem {
        case .invalid(let reason):
            return "\(option) \(url) is not a usable base URL: \(reason) (e.g. https://api.anthropic.com or http://host:port/v1)."
        }
    }
}
