/// Why the core refused an operation. The API turns these into statuses; other callers
/// (scheduler, proxy, channels) act on them directly.
public enum CoreError: Error, Sendable, Equatable {
    case notFound(kind: String, id: String)
    case conflict(code: String, message: String)
    case invalid(param: String?, code: String, message: String)
}
