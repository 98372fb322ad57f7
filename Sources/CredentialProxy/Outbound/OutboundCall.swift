import HTTP

/// A call warden makes itself (a chat reply, an approval card) to an API whose token is a
/// credential: the request names the credential by id and carries its placeholder where the
/// token goes, as an agent's request would. `placeholderInPath` is for APIs that put the token
/// in the URL path (Telegram's `/bot<token>/…`).
public struct OutboundCall: Sendable {
    public var method: String
    /// Absolute `http://` or `https://` URL.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var credentialID: String?
    public var placeholderInPath: Bool
    /// The session the call is for, named in its audit row.
    public var session: String?

    public init(method: String, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
                credentialID: String?, placeholderInPath: Bool = false, session: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.credentialID = credentialID
        self.placeholderInPath = placeholderInPath
        self.session = session
    }
}

/// What came back, with every secret of the call scrubbed (it may be logged or stored).
public struct OutboundReply: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
}
