import Synchronization

/// What the scheduler must hear about as soon as it is durable. Signals say only *which*
/// session changed; the listener re-reads the store, so a lost or reordered signal cannot
/// leave it with a wrong picture.
public enum SessionSignal: Sendable, Equatable {
    case runQueued(session: String)
    case runFinished(session: String, run: String)
    case sessionArchived(session: String)
    case tasksChanged
}

/// Delivers signals after commit to the one listener (the scheduler); without one they are dropped.
public final class SessionSignals: Sendable {
    /// The handler sits in a struct, not directly in the `Mutex`: with a bare function type as
    /// the value, Swift 6.3 re-abstracts the closure on every `withLock { $0 }` and writes the
    /// wrapper back, so each send added two thunks to the chain the next send walks (quadratic
    /// time per message, then a stack overflow).
    private struct Listener: Sendable {
        let deliver: @Sendable (SessionSignal) -> Void
    }

    private let listener = Mutex<Listener?>(nil)

    public init() {}

    public func listen(_ handler: @escaping @Sendable (SessionSignal) -> Void) {
        listener.withLock { $0 = Listener(deliver: handler) }
    }

    public func send(_ signal: SessionSignal) {
        listener.withLock { $0 }?.deliver(signal)
    }
}

extension Transaction {
    /// Sends `signal` once this transaction is durable.
    func signal(_ signal: SessionSignal) {
        let signals = core.signals
        onCommit { signals.send(signal) }
    }
}
