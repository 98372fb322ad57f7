import Synchronization

/// The rhythm of a worker whose work waits in the database with due times (webhook deliveries,
/// channel replies): a round starts what is due and says how long until the next is; the worker
/// sleeps that long unless woken (new work, a freed slot) or stopped. A wake-up that comes
/// while a round runs is kept, so the next sleep is skipped rather than missing it.
public final class WorkPacer: Sendable {
    private struct State {
        var woken = false
        var stopping = false
        var sleeper: Task<Void, Never>?
    }
    private let state = Mutex(State())

    public init() {}

    public var isStopping: Bool { state.withLock { $0.stopping } }

    /// Rounds until `stop`; a round that throws is reported and tried again after a second.
    public func run(_ round: @escaping @Sendable () async throws -> Duration,
                    failed: @escaping @Sendable (any Error) -> Void) async {
        while !isStopping && !Task.isCancelled {
            let wait: Duration
            do {
                wait = try await round()
            } catch {
                failed(error)
                wait = .seconds(1)
            }
            await sleep(wait)
        }
    }

    /// Look again now.
    public func wake() {
        let sleeper = state.withLock { s -> Task<Void, Never>? in
            s.woken = true
            return s.sleeper
        }
        sleeper?.cancel()
    }

    /// No round starts after this; then waits up to `grace` for `inFlight` (attempts whose
    /// outcome is still to be recorded). One cut short is made again after the restart.
    public func stop(draining inFlight: [Task<Void, Never>], grace: Duration) async {
        state.withLock { $0.stopping = true }
        wake()
        _ = await withTimeLimit(grace) {
            for task in inFlight { await task.value }
        }
    }

    private func sleep(_ wait: Duration) async {
        let timer = state.withLock { s -> Task<Void, Never>? in
            guard !s.woken, !s.stopping else { s.woken = false; return nil }
            let timer = Task { _ = try? await Task.sleep(for: wait) }
            s.sleeper = timer
            return timer
        }
        guard let timer else { return }
        await timer.value
        state.withLock { s in
            s.sleeper = nil
            s.woken = false
        }
    }
}
