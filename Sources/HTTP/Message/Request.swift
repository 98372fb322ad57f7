/// A complete request as handlers see it: head, buffered body, and what the server knows
/// about where it came from.
public struct Request: Sendable {
    public var method: String
    public var target: RequestTarget
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var trailers: HTTPHeaders
    /// `X-Request-Id`: the client's when it sent a usable one, otherwise generated.
    public var requestID: String
    public var remoteAddress: String
    /// Path parameters bound by the router, e.g. `id` for `/v1/sessions/:id`.
    public var parameters: [String: String] = [:]
    /// Set by the listener the request arrived on (e.g. which session a unix socket belongs to).
    /// On an intercepted CONNECT, the interception's `connectionContext` instead.
    public var listenerContext: (any Sendable)?
    /// The SNI the client sent on an intercepted CONNECT (nil if it sent none, and on
    /// connections without TLS).
    public var tlsServerName: String?
    /// Set by the server: fires once the client is gone (see `ClientDisconnect`).
    public var disconnect: ClientDisconnect?

    public init(method: String, target: RequestTarget, version: HTTPVersion = .http1_1,
                headers: HTTPHeaders = [:], body: [UInt8] = [], trailers: HTTPHeaders = [:],
                requestID: String = "", remoteAddress: String = "", listenerContext: (any Sendable)? = nil,
                tlsServerName: String? = nil) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.trailers = trailers
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.listenerContext = listenerContext
        self.tlsServerName = tlsServerName
    }

    public var path: String { target.path }
    public var query: String? { target.query }

    /// Query parameters, percent-decoded, `+` as space; the last value of a repeated name wins.
    public var queryParameters: [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(parts[0], plusAsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (PercentDecoding.decode(parts[1], plusAsSpace: true) ?? String(parts[1])) : ""
            out[name] = value
        }
        return out
    }

    public var bodyString: String { String(decoding: body, as: UTF8.self) }
}

public enum PercentDecoding {
    /// Decodes `%XX` escapes; nil if an escape is malformed or the result is not UTF-8.
    public static func decode<S: StringProtocol>(_ s: S, plusAsSpace: Bool = false) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let c = it.next() {
            if c == UInt8(ascii: "%") {
                guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
                bytes.append(UInt8(h << 4 | l))
            } else if plusAsSpace && c == UInt8(ascii: "+") {
                bytes.append(ASCII.sp)
            } else {
                bytes.append(c)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
