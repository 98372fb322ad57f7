import HTTP

/// Why the model route answered a request itself instead of relaying the provider's answer.
/// Each is shown to the agent as the JSON error envelope; none carries a secret.
enum ModelRouteError: HTTPResponseError, Equatable {
    case unknownRoute(method: String, path: String)
    case methodNotAllowed(String)
    case invalidPath
    /// The listener has no `SessionSocketIdentity`: wiring error, so refuse rather than act for nobody.
    case noSession
    case upstreamNotConfigured(ModelProvider)
    case keyMissing(ModelProvider)
    case keyUnavailable(ModelProvider)
    case upstreamUnreachable(ModelProvider, UpstreamURL, reason: String)
    case upstreamEncoded(ModelProvider, encoding: String)

    var status: HTTPStatus {
        switch self {
        case .unknownRoute: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        case .invalidPath: return .badRequest
        case .noSession: return .internalServerError
        case .upstreamNotConfigured, .keyMissing, .keyUnavailable: return .serviceUnavailable
        case .upstreamUnreachable, .upstreamEncoded: return .badGateway
        }
    }

    var code: String {
        switch self {
        case .unknownRoute: return "not_found"
        case .methodNotAllowed: return "method_not_allowed"
        case .invalidPath: return "invalid_path"
        case .noSession: return "proxy_misconfigured"
        case .upstreamNotConfigured: return "model_upstream_not_configured"
        case .keyMissing: return "model_key_missing"
        case .keyUnavailable: return "model_key_unavailable"
        case .upstreamUnreachable: return "upstream_unreachable"
        case .upstreamEncoded: return "upstream_encoding"
        }
    }

    var message: String {
        switch self {
        case .unknownRoute(let method, let path):
            return "No proxy route for \(method) \(path); model calls go to POST /model/anthropic/… or POST /model/openai/…."
        case .methodNotAllowed(let method):
            return "\(method) is not allowed on the model route; use POST."
        case .invalidPath:
            return "The path has dot segments or encoded slashes; send the provider path as is."
        case .noSession:
            return "This proxy socket belongs to no session; warden is misconfigured."
        case .upstreamNotConfigured(let provider):
            return "No \(provider.rawValue) upstream is configured: start warden with --\(provider.rawValue)-base-url."
        case .keyMissing(let provider):
            return "No \(provider.rawValue) API key is configured: set \(provider.environmentVariable) in warden's "
                + "environment and restart warden (it is stored in the vault as '\(provider.credentialName)')."
        case .keyUnavailable(let provider):
            return "The \(provider.rawValue) API key cannot be decrypted with warden's master key; see warden's log."
        case .upstreamUnreachable(let provider, let upstream, let reason):
            return "Could not reach the \(provider.rawValue) API at \(upstream): \(reason)."
        case .upstreamEncoded(let provider, let encoding):
            return "The \(provider.rawValue) API answered with Content-Encoding \(encoding), which warden cannot check "
                + "for secrets, so the response was withheld."
        }
    }

    var headers: HTTPHeaders {
        if case .methodNotAllowed = self { return ["Allow": "POST"] }
        return [:]
    }
}
