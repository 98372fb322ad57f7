import Synchronization

/// Counters for `/metrics`; relaxed atomics, written on the loops, read anywhere.
public final class ServerStatistics: Sendable {
    public let connectionsAccepted = Atomic<Int>(0)
    public let connectionsOpen = Atomic<Int>(0)
    public let requests = Atomic<Int>(0)
    public let parseErrors = Atomic<Int>(0)
    public let timeouts = Atomic<Int>(0)
    public let acceptErrors = Atomic<Int>(0)
    /// CONNECT tunnels started.
    public let tunnels = Atomic<Int>(0)
    /// CONNECTs answered with `.intercept` whose connection switched to TLS.
    public let intercepted = Atomic<Int>(0)
    /// Intercepted connections whose TLS handshake failed or did not finish within the header timeout.
    public let tlsHandshakeFailures = Atomic<Int>(0)
    init() {}
}
