/// How the body of a message is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
    /// Responses only: the body runs until the connection closes.
    case untilClose
}

/// The parsed start line and header section of a request, with the framing decided.
public struct RequestHead: Sendable {
    public var method: String
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    public var keepAlive: Bool
    public var expectsContinue: Bool
    public var targetForm: RequestTarget
}

/// The four request-target forms of RFC 9112 §3.2.
public enum RequestTarget: Sendable, Equatable {
    /// `/path?query`
    case origin(path: String, query: String?)
    /// `http://authority/path?query` (what a forward proxy receives)
    case absolute(scheme: String, authority: String, path: String, query: String?)
    /// `host:port`, only with CONNECT
    case authority(String)
    /// `*`, only with OPTIONS
    case asterisk

    public var path: String {
        switch self {
        case .origin(let p, _), .absolute(_, _, let p, _): return p
        case .authority, .asterisk: return ""
        }
    }

    public var query: String? {
        switch self {
        case .origin(_, let q), .absolute(_, _, _, let q): return q
        case .authority, .asterisk: return nil
        }
    }

    public var authority: String? {
        switch self {
        case .absolute(_, let a, _, _), .authority(let a): return a
        case .origin, .asterisk: return nil
        }
    }
}
