import Core
import HTTP

/// The core's refusals as the agent socket answers them (same envelope as the REST API).
struct AgentError: HTTPResponseError {
    let status: HTTPStatus
    let code: String
    let message: String
    let param: String?

    init(_ status: HTTPStatus, code: String, message: String, param: String? = nil) {
        self.status = status; self.code = code; self.message = message; self.param = param
    }

    init(_ error: CoreError) {
        switch error {
        case .notFound(let kind, _): self.init(.notFound, code: "\(kind)_not_found", message: error.description)
        case .conflict(let code, let message): self.init(.conflict, code: code, message: message)
        case .invalid(let param, let code, let message): self.init(.badRequest, code: code, message: message, param: param)
        }
    }

    static func invalid(_ param: String, _ message: String) -> AgentError {
        AgentError(.badRequest, code: "invalid_parameter", message: message, param: param)
    }
}

/// Runs `body`, turning the core's typed errors into envelopes.
func translatingCoreErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as CoreError { throw AgentError(error) }
}
