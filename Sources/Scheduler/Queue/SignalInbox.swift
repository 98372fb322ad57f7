import Core
import Synchronization

/// The core's signals, gathered until the scheduler next looks. A burst of messages to one
/// session becomes one re-read of it, and the whole burst one pass over the queue, so the
/// scheduler's work per message does not grow with the number of sessions or queued runs.
final class SignalInbox: Sendable {
    struct Batch: Sendable {
        /// Sessions whose queue changed anywhere (a run finished or was cancelled).
        var changed: Set<String> = []
        /// Sessions that only had runs appended to their queue.
        var appended: Set<String> = []
        var archived: Set<String> = []
        var tasksChanged = false

        var isEmpty: Bool { changed.isEmpty && appended.isEmpty && archived.isEmpty && !tasksChanged }

        mutating func add(_ signal: SessionSignal) {
            switch signal {
            case .runQueued(let session): appended.insert(session)
            case .runFinished(let session, _): changed.insert(session)
            case .sessionArchived(let session): archived.insert(session)
            case .tasksChanged: tasksChanged = true
            }
        }
    }

    private struct State {
        var pending = Batch()
        var reader: CheckedContinuation<Batch?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    func post(_ signal: SessionSignal) {
        let handOff: (CheckedContinuation<Batch?, Never>, Batch)? = state.withLock { state in
            guard !state.closed else { return nil }
            state.pending.add(signal)
            guard let reader = state.reader else { return nil }
            state.reader = nil
            defer { state.pending = Batch() }
            return (reader, state.pending)
        }
        handOff.map { $0.0.resume(returning: $0.1) }
    }

    /// Everything posted since the last call, waiting for the first signal if there is none;
    /// nil once closed. One reader at a time.
    func next() async -> Batch? {
        await withCheckedContinuation { continuation in
            let ready: Batch?? = state.withLock { state in
                if !state.pending.isEmpty {
                    defer { state.pending = Batch() }
                    return .some(state.pending)
                }
                if state.closed { return .some(nil) }
                state.reader = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends `next()`: a waiting reader gets nil, and so does every later call.
    func close() {
        let reader = state.withLock { state in
            state.closed = true
            defer { state.reader = nil }
            return state.reader
        }
        reader?.resume(returning: nil)
    }
}
