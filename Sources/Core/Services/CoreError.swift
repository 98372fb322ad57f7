/// Why the core refused an operation. The API turns these into statuses; other callers
/// (scheduler, proxy, channels) act on them directly.
public enum CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(kind: String, id: String)
    case conflict(code: String, message: String)
    case invalid(param: String?, code: String, message: String)

    public var description: String {
        switch self {
        case .notFound(let kind, let id): return "No \(kind) with id '\(id)'."
        case .conflict(_, let message), .invalid(_, _, let message): return message
        }
    }
}
