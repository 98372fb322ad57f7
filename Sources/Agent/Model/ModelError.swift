import HTTP

/// Why a model call failed. Each case maps to the `{code, message}` a failed run reports.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The proxy socket did not answer, or the response stopped arriving.
    case unreachable(HTTPClientError)
    /// The provider (or the proxy) answered with an error status.
    case http(status: Int, type: String?, message: String)
    /// An `error` event in the middle of a stream (e.g. Anthropic's `overloaded_error`).
    case streamError(type: String?, message: String)
    /// The response is not the format the provider documents.
    case malformed(String)
    /// The run was abandoned while the call was in flight.
    case cancelled

    public var code: String {
        switch self {
        case .unreachable: return "model_unreachable"
        case .http, .streamError: return "model_error"
        case .malformed: return "model_protocol_error"
        case .cancelled: return "cancelled"
        }
    }

    public var description: String {
        switch self {
        case .unreachable(.timedOut): return "the model sent nothing for too long"
        case .unreachable(let error): return "the model could not be reached through the proxy: \(error)"
        case .http(let status, let type, let message):
            return "the model API answered \(status)" + (type.map { " \($0)" } ?? "") + ": \(message)"
        case .streamError(let type, let message):
            return "the model stream failed" + (type.map { " (\($0))" } ?? "") + ": \(message)"
        case .malformed(let what): return "the model's response is malformed: \(what)"
        case .cancelled: return "the model call was cancelled"
        }
    }
}
