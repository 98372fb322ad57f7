import Foundation
import Synchronization
import Testing
@testable import Core

@Suite struct SessionSignalsTests {
    /// Every signal reaches the listener, and sending stays flat: a send must not leave the
    /// listener wrapped deeper than before. Swift re-abstracts a bare closure stored in a
    /// `Mutex` on each read and writes the wrapper back; then each send walks one more pair of
    /// thunks, and on a small stack this loop would crash long before its end.
    @Test func manySignalsReachTheListenerOnASmallStack() async {
        let signals = SessionSignals()
        let received = Mutex(0)
        signals.listen { signal in
            if case .runQueued = signal { received.withLock { $0 += 1 } }
        }
        let sends = 100_000
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                for _ in 0..<sends { signals.send(.runQueued(session: "ses_a")) }
                done.resume()
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        #expect(received.withLock { $0 } == sends)
    }

    /// Signals sent before anyone listens are dropped, not kept for a later listener.
    @Test func signalsWithoutAListenerAreDropped() {
        let signals = SessionSignals()
        signals.send(.tasksChanged)
        let received = Mutex(0)
        signals.listen { _ in received.withLock { $0 += 1 } }
        #expect(received.withLock { $0 } == 0)
    }

    @Test func aNewListenerReplacesTheOld() {
        let signals = SessionSignals()
        let first = Mutex(0), second = Mutex(0)
        signals.listen { _ in first.withLock { $0 += 1 } }
        signals.send(.tasksChanged)
        signals.listen { _ in second.withLock { $0 += 1 } }
        signals.send(.tasksChanged)
        #expect(first.withLock { $0 } == 1)
        #expect(second.withLock { $0 } == 1)
    }
}
