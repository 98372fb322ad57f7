import HTTP

/// Why a call to warden over agent.sock did not succeed.
public enum WardenError: Error, Sendable, CustomStringConvertible {
    /// `409 run_finished`: the run was cancelled, timed out or finished; stop working on it.
    case runFinished
    /// The socket did not answer (warden restarting, socket missing).
    case unreachable(HTTPClientError)
    /// Any other answer: the status and warden's error code and message when it sent the envelope.
    case rejected(status: Int, code: String, message: String)
    /// A 2xx whose body is not what the protocol says.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .runFinished: return "the run is already finished"
        case .unreachable(let error): return "warden is unreachable: \(error)"
        case .rejected(let status, let code, let message): return "warden answered \(status) \(code): \(message)"
        case .malformedResponse(let what): return "warden's response is malformed: \(what)"
        }
    }

    /// Nothing reached warden, so repeating the call cannot duplicate anything.
    var isSafeToRetry: Bool {
        if case .unreachable(.connect) = self { return true }
        return false
    }
}
