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
    private let listener = Mutex<(@Sendable (SessionSignal) -> Void)?>(nil)

    public init() {}

    public func listen(_ handler: @escaping @Sendable (SessionSignal) -> Void) {
        listener.withLock { $0 = handler }
    }

    func send(_ signal: SessionSignal) {
        listener.withLock { $0 }?(signal)
    }
}

extension Transaction {
    /// Sends `signal` once this transaction is durable.
    func signal(_ signal: SessionSignal) {
        let signals = core.signals
        onCommit { signals.send(signal) }
    }
}
