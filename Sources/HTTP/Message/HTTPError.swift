import Foundation

/// An error that knows how it looks at the HTTP edge. Anything a handler throws that
/// conforms is rendered as the JSON error envelope of SPEC §3; anything else becomes a 500
/// that reveals nothing about the failure.
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    var type: String { get }
    var code: String { get }
    var message: String { get }
    var param: String? { get }
    /// Extra headers, e.g. `Allow` on a 405 or `Retry-After` on a 429/503.
    var headers: HTTPHeaders { get }
}

extension HTTPResponseError {
    public var type: String { ErrorType.forStatus(status) }
    public var param: String? { nil }
    public var headers: HTTPHeaders { [:] }
}

/// A plain HTTP error for the common cases.
public struct HTTPError: HTTPResponseError, Equatable {
    public var status: HTTPStatus
    public var type: String
    public var code: String
    public var message: String
    public var param: String?
    public var headers: HTTPHeaders

    public init(_ status: HTTPStatus, code: String, message: String, param: String? = nil, type: String? = nil,
                headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.type = type ?? ErrorType.forStatus(status)
        self.headers = headers
    }

    public static func == (a: HTTPError, b: HTTPError) -> Bool {
        a.status == b.status && a.code == b.code && a.message == b.message && a.param == b.param
    }

    public static func notFound(_ message: String = "No such resource.") -> HTTPError {
        HTTPError(.notFound, code: "not_found", message: message)
    }
}

public enum ErrorType {
    public static func forStatus(_ status: HTTPStatus) -> String {
        switch status.code {
        case 401: return "authentication"
        case 403: return "permission"
        case 404: return "not_found"
        case 409: return "conflict"
        case 429: return "rate_limit"
        case 500...: return "internal"
        default: return "invalid_request"
        }
    }
}

extension HTTPParseError: HTTPResponseError {}

/// `{"error":{type,code,message,param},"request_id":…}`
public enum ErrorEnvelope {
    public static func response(for error: any HTTPResponseError, requestID: String) -> Response {
        var headers = error.headers
        headers.add("Content-Type", "application/json")
        return Response(status: error.status, headers: headers, bytes: body(for: error, requestID: requestID))
    }

    public static func body(for error: any HTTPResponseError, requestID: String) -> [UInt8] {
        var inner: [String: Any] = ["type": error.type, "code": error.code, "message": error.message]
        inner["param"] = error.param ?? NSNull()
        let object: [String: Any] = ["error": inner, "request_id": requestID]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map { Array($0) } ?? []
    }

    static let internalError = HTTPError(.internalServerError, code: "internal_error",
                                         message: "The server failed to handle the request; it has been logged.")
}
