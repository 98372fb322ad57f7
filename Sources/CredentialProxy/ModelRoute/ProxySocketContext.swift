/// What the scheduler attaches to a session's proxy.sock listener
/// (`server.listen(.unix(path:), context: ProxySocketContext(sessionID:))`): the socket is the
/// identity, so every request that arrives on it belongs to this session.
public struct ProxySocketContext: Sendable, Equatable {
    public let sessionID: String
    public init(sessionID: String) { self.sessionID = sessionID }
}
