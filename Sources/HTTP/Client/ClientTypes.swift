import Glibc

/// A request for `HTTPClient`. `target` is what goes on the request line: usually a path,
/// or an absolute URL when talking to a forward proxy.
public struct ClientRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String = "GET", target: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

public struct ClientResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var trailers: HTTPHeaders
    public var bodyString: String { String(decoding: body, as: UTF8.self) }
}

public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case connect(SystemError)
    case connectionClosed
    case io(SystemError)
    case protocolError(HTTPParseError)
    case timedOut
    case responseTooLarge
    case shutDown
    /// The TLS handshake, the certificate, or a record failed; `TLSError.reason` is OpenSSL's text.
    case tls(TLSError)

    public var description: String {
        switch self {
        case .connect(let e): return "could not connect: \(e)"
        case .connectionClosed: return "the server closed the connection before the response was complete"
        case .io(let e): return "socket error: \(e)"
        case .protocolError(let e): return "malformed response: \(e.message)"
        case .timedOut: return "the request timed out"
        case .responseTooLarge: return "the response exceeds the client's limit"
        case .shutDown: return "the client is shut down"
        case .tls(let e): return "TLS: \(e.reason)"
        }
    }
}

extension HTTPClientError {
    /// How a server's close of an idle keep-alive connection shows on the request that reused
    /// it: EOF, or a reset when the close found that request unread in its buffer.
    var meansStaleConnection: Bool {
        switch self {
        case .connectionClosed: return true
        case .io(let error): return error.errno == ECONNRESET || error.errno == EPIPE
        default: return false
        }
    }
}
