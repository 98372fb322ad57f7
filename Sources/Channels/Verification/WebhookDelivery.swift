import HTTP

/// One inbound webhook request exactly as it arrived: verifiers sign-check these raw bytes,
/// never a re-encoding of them, because any re-serialisation changes what was signed.
public struct WebhookDelivery: Sendable {
    public var method: String
    public var headers: HTTPHeaders
    public var query: [String: String]
    public var body: [UInt8]

    public init(method: String = "POST", headers: HTTPHeaders = [:], query: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.headers = headers
        self.query = query
        self.body = body
    }

    /// The delivery as the HTTP server handed it over.
    public init(_ request: Request) {
        self.init(method: request.method, headers: request.headers, query: request.queryParameters, body: request.body)
    }

    /// The first value of `name`, or `.headerMissing` when the request has none.
    func requiredHeader(_ name: String) throws(VerificationFailure) -> String {
        guard let value = headers[name] else { throw .headerMissing(header: name) }
        return value
    }
}
