import Core
import HTTP

/// Errors the API layer raises itself, as envelopes.
enum APIError {
    static func unauthenticated(_ code: String, _ message: String) -> HTTPError {
        HTTPError(.unauthorized, code: code, message: message, headers: ["WWW-Authenticate": "Bearer"])
    }

    static func forbidden(_ message: String) -> HTTPError {
        HTTPError(.forbidden, code: "forbidden", message: message)
    }

    static func invalid(_ param: String?, _ message: String, code: String = "invalid_parameter") -> HTTPError {
        HTTPError(.badRequest, code: code, message: message, param: param)
    }

    static func notFound(_ kind: String, _ id: String) -> HTTPError {
        HTTPError(.notFound, code: "\(kind)_not_found", message: "No \(kind) with id '\(id)'.")
    }
}

/// The core's refusals, at the HTTP edge.
extension CoreError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .invalid: return .badRequest
        }
    }

    public var code: String {
        switch self {
        case .notFound(let kind, _): return "\(kind)_not_found"
        case .conflict(let code, _), .invalid(_, let code, _): return code
        }
    }

    public var message: String {
        switch self {
        case .notFound(let kind, let id): return "No \(kind) with id '\(id)'."
        case .conflict(_, let message), .invalid(_, _, let message): return message
        }
    }

    public var param: String? {
        if case .invalid(let param, _, _) = self { return param }
        return nil
    }
}
