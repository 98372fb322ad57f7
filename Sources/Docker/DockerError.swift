import HTTP

/// What went wrong talking to the Docker daemon, with the daemon's own message when it sent one.
public enum DockerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No daemon at the socket (not installed, not running, or no permission).
    case unreachable(socket: String, reason: String)
    /// The daemon speaks only API versions this client does not.
    case unsupportedVersion(server: String, minimum: String)
    case notFound(String)
    case conflict(String)
    case badRequest(String)
    case daemon(status: Int, message: String)
    case protocolError(String)

    public var description: String {
        switch self {
        case .unreachable(let socket, let reason):
            return "cannot reach the Docker daemon at \(socket): \(reason). Is dockerd running, and may this user use its socket?"
        case .unsupportedVersion(let server, let minimum):
            return "the Docker daemon speaks API \(server); Warden needs \(minimum) or later"
        case .notFound(let m): return "Docker: not found: \(m)"
        case .conflict(let m): return "Docker: conflict: \(m)"
        case .badRequest(let m): return "Docker: bad request: \(m)"
        case .daemon(let status, let m): return "Docker daemon error \(status): \(m)"
        case .protocolError(let m): return "unexpected answer from Docker: \(m)"
        }
    }

    static func from(status: Int, body: [UInt8]) -> DockerError {
        let message = DockerJSON.decode(ErrorBody.self, body)?.message ?? String(decoding: body.prefix(500), as: UTF8.self)
        switch status {
        case 400: return .badRequest(message)
        case 404: return .notFound(message)
        case 409: return .conflict(message)
        default: return .daemon(status: status, message: message)
        }
    }

    struct ErrorBody: Decodable { var message: String }
}
