import Core

/// How the channel reply worker sends. The defaults suit a server; tests shorten the waits.
public struct ChannelReplyConfiguration: Sendable {
    /// Rows in flight at once, over all sessions (each session has one at a time).
    public var maxConcurrentDeliveries = 16
    /// A chat answer is worth less the later it comes: 2 s … 30 min, about an hour in all, then
    /// the row is `failed` (and stays in the record) rather than posted hours out of context.
    public var retry = RetryPolicy(delays: [
        .seconds(2), .seconds(10), .seconds(30), .seconds(120), .seconds(600), .seconds(1800),
    ])
    /// How long `stop` waits for attempts in flight to be recorded.
    public var stopGrace: Duration = .seconds(5)
    /// The longest the worker sleeps without looking at the store.
    public var idleRecheck: Duration = .seconds(60)

    public init() {}
}
