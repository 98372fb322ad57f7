import HTTP

/// How the Channels module sends a request it built: through the credential proxy's outbound
/// client, which holds the bot token and puts it where the request's placeholder is. A protocol,
/// so this module never sees a secret (and tests can answer as a platform would).
public protocol ChannelTransport: Sendable {
    func send(_ request: OutboundRequest, credentialID: String?, session: String?) async throws(ChannelTransportError) -> ChannelResponse
}

public struct ChannelResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The request did not get an answer from the platform.
public struct ChannelTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    /// Whether trying again later can help (a refused credential or URL will not).
    public var retryable: Bool

    public init(_ reason: String, retryable: Bool) {
        self.reason = reason
        self.retryable = retryable
    }

    public var description: String { reason }
}
