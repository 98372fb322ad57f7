import HTTP
import Store

/// The store's failures, at the HTTP edge. What the environment causes (a locked database, a
/// full disk, an I/O error, a failed WAL sync, a shutdown) is a 503 that says whether a retry
/// can help; what only a defect can cause stays a 500 that reveals nothing. A failed write
/// changed nothing (its transaction was rolled back), except after a failed WAL sync, when it
/// may or may not survive, and the message says so.
extension StoreError: HTTPResponseError {
    public var status: HTTPStatus { cause == .defect ? .internalServerError : .serviceUnavailable }

    public var code: String {
        switch cause {
        case .busy: return "store_busy"
        case .full: return "storage_full"
        case .io, .syncFailed: return "store_unavailable"
        case .closed: return "shutting_down"
        case .defect: return "internal_error"
        }
    }

    public var message: String {
        switch cause {
        case .busy:
            return "The database is locked (is another process using warden's data dir?); nothing was changed. Retry shortly."
        case .full:
            return "The disk that holds warden's database is full; nothing was changed. Free space on it, then retry."
        case .io:
            return "Warden could not read or write its database (an I/O error); nothing was changed. "
                + "Check the disk and warden's log."
        case .syncFailed:
            return "Warden could not sync its database to disk, so it cannot promise that this or any later write is "
                + "stored. Check the disk, then restart warden."
        case .closed:
            return "Warden is shutting down; retry in a moment."
        case .defect:
            return "The server failed to handle the request; it has been logged."
        }
    }

    /// Only where a retry can succeed soon: a full disk or a failed sync needs a person first.
    public var headers: HTTPHeaders {
        switch cause {
        case .busy, .closed: return ["Retry-After": "1"]
        case .full, .io, .syncFailed, .defect: return [:]
        }
    }
}
