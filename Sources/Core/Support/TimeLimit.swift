import Synchronization

/// Runs `operation` and returns its result, or nil once `limit` has passed. The HTTP client's
/// requests cannot be cancelled, only timed out between reads, so an endpoint that trickles
/// bytes could hold a caller for ever; past the limit the caller goes on and the operation is
/// left to end on its own (its socket closes at the client's idle timeout at the latest).
public func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    let race = FirstResult<T?>()
    Task { race.finish(await operation()) }
    let timer = Task {
        try? await Task.sleep(for: limit)
        if !Task.isCancelled { race.finish(nil) }
    }
    let result = await race.value()
    timer.cancel()
    return result
}

/// The first of several racing results; later ones are dropped.
private final class FirstResult<T: Sendable>: Sendable {
    private struct State {
        var result: T?
        var finished = false
        var waiter: CheckedContinuation<T, Never>?
    }
    private let state = Mutex(State())

    func finish(_ value: T) {
        let waiter = state.withLock { s -> CheckedContinuation<T, Never>? in
            guard !s.finished else { return nil }
            s.finished = true
            guard let waiter = s.waiter else { s.result = value; return nil }
            s.waiter = nil
            return waiter
        }
        waiter?.resume(returning: value)
    }

    func value() async -> T {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> T? in
                if s.finished, let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
