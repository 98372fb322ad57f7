/// A response from a handler. Bodies are either bytes, or a stream the handler writes to
/// (sent chunked) with back-pressure from the client's socket.
public struct Response: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Runs off the event loop; each `write` waits while the client is slow to read.
        case stream(@Sendable (BodyWriter) async throws -> Void)
        /// The answer to a CONNECT: after this (2xx) head is sent, the connection becomes a
        /// byte tunnel to the upstream socket, which the server then owns. Any other status,
        /// or a method other than CONNECT, closes the socket and sends the head alone.
        case tunnel(TunnelUpstream)
        /// The other answer to a CONNECT: after this (2xx) head is sent, the server terminates
        /// TLS on the same connection with the interception's certificate and hands the
        /// decrypted requests to the interception's handler. Refused like `.tunnel` otherwise,
        /// and inside a connection that is itself intercepted.
        case intercept(TLSInterception)
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], bytes: [UInt8]) {
        self.init(status: status, headers: headers, body: .bytes(bytes))
    }

    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], bytes: Array(text.utf8))
    }

    public static func json(_ bytes: [UInt8], status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ["Content-Type": "application/json"], bytes: bytes)
    }

    public static func empty(_ status: HTTPStatus = .noContent) -> Response { Response(status: status) }
}
