/// How working on a run ended, before warden is told.
enum RunOutcome: Sendable, Equatable {
    case completed(stopReason: String, usage: Usage)
    case failed(code: String, message: String, usage: Usage)
    /// Warden said the run is over (409), or the agent is stopping: nothing more is posted.
    case abandoned

    var completion: RunCompletion? {
        switch self {
        case .completed(let stopReason, let usage): return .completed(stopReason: stopReason, usage: usage)
        case .failed(let code, let message, let usage): return .failed(code: code, message: message, usage: usage)
        case .abandoned: return nil
        }
    }
}
