import Core

/// How the webhook worker sends. The defaults suit a server; tests shorten the waits.
public struct WebhookConfiguration: Sendable {
    /// Attempts in flight at once, over all webhooks.
    public var maxConcurrentDeliveries = 16
    /// Attempts in flight at once to one webhook. One keeps an endpoint's events in order.
    public var maxConcurrentPerWebhook = 1
    /// The longest one attempt may take, from connecting to the last byte of the answer.
    public var attemptTimeout: Duration = .seconds(15)
    public var retry = RetryPolicy.standard
    /// How long `stop` waits for attempts in flight to be recorded. One cut short is made
    /// again after the restart (receivers deduplicate by `webhook-id`).
    public var stopGrace: Duration = .seconds(5)
    /// The longest the worker sleeps without looking at the store (it is woken when deliveries
    /// are created; this covers a clock that jumps).
    public var idleRecheck: Duration = .seconds(60)

    public init() {}
}
