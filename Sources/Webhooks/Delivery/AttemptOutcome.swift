/// How one attempt ended.
enum AttemptOutcome: Sendable, Equatable {
    /// The endpoint answered 2xx.
    case delivered(status: Int)
    /// It answered something else; `retryAfter` if it said when to come back (429, 503).
    case refused(status: Int, retryAfter: Duration?)
    /// No answer: the reason (connection refused, TLS, timeout, an unusable URL or secret).
    case unreachable(reason: String)

    var statusCode: Int? {
        switch self {
        case .delivered(let status), .refused(let status, _): return status
        case .unreachable: return nil
        }
    }

    /// What the delivery log shows as `last_error`.
    var errorText: String? {
        switch self {
        case .delivered: return nil
        case .refused(let status, _): return "the endpoint answered \(status)"
        case .unreachable(let reason): return reason
        }
    }
}
