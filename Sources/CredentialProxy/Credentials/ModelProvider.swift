import Foundation

/// The model APIs the proxy's model route serves, and how each takes its key.
public enum ModelProvider: String, Sendable, CaseIterable {
    case anthropic, openai

    /// The vault credential holding this provider's key.
    public var credentialName: String { "model:\(rawValue)" }

    /// The variable `warden serve` reads the key from at start-up.
    public var environmentVariable: String {
        switch self {
        case .anthropic: return "ANTHROPIC_API_KEY"
        case .openai: return "OPENAI_API_KEY"
        }
    }

    public var injection: CredentialInjection {
        switch self {
        case .anthropic: return CredentialInjection(header: "x-api-key", template: "{secret}")
        case .openai: return CredentialInjection(header: "Authorization", template: "Bearer {secret}")
        }
    }

    /// The provider's own API host: where the key is valid, and so the only host the general
    /// proxy may inject it on.
    public var defaultHosts: [String] {
        switch self {
        case .anthropic: return ["api.anthropic.com"]
        case .openai: return ["api.openai.com"]
        }
    }

    /// The key value containers are given instead (docs/agent-protocol.md).
    public static let placeholder = "warden-placeholder"
}

extension CredentialStore {
    /// Creates or replaces `model:anthropic` / `model:openai` with `secret`. `warden serve`
    /// calls this at start-up for `ANTHROPIC_API_KEY` / `OPENAI_API_KEY`.
    @discardableResult
    public func storeModelKey(provider: ModelProvider, secret: Secret, hosts: [String]? = nil,
                              actor: String? = "environment") async throws -> Credential {
        let spec = CredentialSpec(name: provider.credentialName, hosts: hosts ?? provider.defaultHosts,
                                  inject: provider.injection, placeholder: ModelProvider.placeholder)
        // Unchanged at a restart: no write, and no audit entry claiming the key was replaced.
        if let current = try? await unseal(name: spec.name), current.secret == secret,
           current.credential.hosts == spec.hosts, current.credential.inject == spec.inject,
           current.credential.placeholder == spec.placeholder, current.credential.pathPrefix == nil {
            return current.credential
        }
        return try await put(spec, secret: secret, actor: actor)
    }

    /// `storeModelKey` for each provider whose variable is set and non-empty in `environment`;
    /// returns the providers stored.
    @discardableResult
    public func storeModelKeys(from environment: [String: String]) async throws -> [ModelProvider] {
        var stored: [ModelProvider] = []
        for provider in ModelProvider.allCases {
            // Keys pasted into env files often carry a trailing newline.
            let value = environment[provider.environmentVariable]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !value.isEmpty else { continue }
            try await storeModelKey(provider: provider, secret: Secret(value))
            stored.append(provider)
        }
        return stored
    }
}
