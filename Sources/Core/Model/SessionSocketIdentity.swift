/// Who is speaking on a per-session unix socket. The scheduler listens on each session's
/// `agent.sock` and `proxy.sock` with one of these as the listener context, so a handler knows
/// the session from the socket itself, never from anything the container sends.
public struct SessionSocketIdentity: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case agent, proxy }
    public let sessionID: String
    public let kind: Kind

    public init(sessionID: String, kind: Kind) {
        self.sessionID = sessionID
        self.kind = kind
    }
}
