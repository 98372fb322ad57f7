/// Limits and timeouts of the server, with the status each one produces.
public struct ServerConfiguration: Sendable {
    /// Request line plus header section; over it → 431.
    public var maxHeaderBytes = 16 * 1024
    /// Header fields per request (and per trailer section); over it → 431.
    public var maxHeaderCount = 100
    /// Decoded body size; over it → 413 (before reading it, when Content-Length says so).
    public var maxBodyBytes = 8 * 1024 * 1024
    /// From the first byte of a request to the end of its head; past it → 408 and close.
    /// Also how long a new connection may stay silent.
    public var headerTimeout: Duration = .seconds(10)
    /// Longest pause between two reads of a body; past it → 408 and close.
    public var bodyTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may wait for its next request; then it is closed.
    public var idleTimeout: Duration = .seconds(75)
    /// Longest time without the client accepting any response bytes; then it is dropped.
    public var writeTimeout: Duration = .seconds(30)
    /// After an error response, how long to drain the client's unread input before closing,
    /// so the client sees the response instead of a reset.
    public var lingerTimeout: Duration = .seconds(2)
    /// A streamed response waits (back-pressure) while this many bytes are unsent...
    public var outputHighWater = 256 * 1024
    /// ...and resumes once fewer than this remain.
    public var outputLowWater = 64 * 1024
    /// A CONNECT tunnel with no byte moving either way for this long is closed.
    public var tunnelIdleTimeout: Duration = .seconds(600)
    /// Open connections per server; further ones are accepted and closed at once.
    public var maxConnections = 100_000

    public init() {}
}
