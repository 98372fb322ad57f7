/// Why warden's own call did not reach the API; `retryable` says whether trying again later
/// can help (the delivery layer backs off on those and gives up on the rest).
public enum OutboundCallError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case credentialMissing(String)
    case credentialUnavailable(String)
    /// The credential's hosts do not include the URL's host: its token is not sent elsewhere.
    case credentialNotForHost(credential: String, host: String)
    case addressRefused(String)
    case unreachable(String)
    case responseTooLarge(Int)
    /// An exchanged credential's token could not be minted (endpoint down, refused, unusable
    /// answer); nothing was sent to the API.
    case tokenUnavailable(credential: String, reason: String)
    /// The token endpoint refused the credential itself (400, 401 or 403: a wrong client secret,
    /// a revoked key, a scope not granted). Trying again cannot help until it is fixed.
    case tokenRefused(credential: String, reason: String)

    public var retryable: Bool {
        switch self {
        case .unreachable, .credentialUnavailable, .tokenUnavailable: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let reason): return "the URL cannot be used: \(reason)"
        case .credentialMissing(let id): return "the credential \(id) does not exist"
        case .credentialUnavailable(let id): return "the credential \(id) cannot be opened (see warden's log)"
        case .credentialNotForHost(let name, let host): return "the credential '\(name)' is not for \(host)"
        case .addressRefused(let reason): return reason
        case .unreachable(let reason): return reason
        case .responseTooLarge(let limit): return "the response was larger than \(limit) bytes"
        case .tokenUnavailable(let name, let reason): return "no token for the credential '\(name)': \(reason)"
        case .tokenRefused(let name, let reason):
            return "the token endpoint refused the credential '\(name)': \(reason); fix its secret or exchange settings (PUT /v1/credentials/{id})"
        }
    }
}
