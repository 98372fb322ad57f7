import Foundation
import Synchronization
import Testing
@testable import Core
import Store

struct Timeout: Error {}

/// `next()` with a limit: the wait runs in its own task so a missing delivery fails the test
/// instead of hanging it (closing the subscription then ends that task).
func next(_ subscription: EventSubscription, within seconds: Double = 5) async throws -> EventSubscription.Delivery? {
    let box = ContinuationBox()
    return try await withCheckedThrowingContinuation { continuation in
        box.set(continuation)
        Task {
            let delivery = await subscription.next()
            box.take()?.resume(returning: delivery)
        }
        Task {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            box.take()?.resume(throwing: Timeout())
        }
    }
}

final class ContinuationBox: Sendable {
    private let state = Mutex<CheckedContinuation<EventSubscription.Delivery?, any Error>?>(nil)
    func set(_ c: CheckedContinuation<EventSubscription.Delivery?, any Error>) { state.withLock { $0 = c } }
    func take() -> CheckedContinuation<EventSubscription.Delivery?, any Error>? { state.withLock { $0.take() } }
}

/// Nothing is buffered for `subscription`: a ping comes back first (events and lags would
/// come before it). Waits for no timer.
func expectNothingPending(_ subscription: EventSubscription, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    subscription.ping()
    let delivery = try await next(subscription)
    #expect(delivery == .ping, "nothing was pending", sourceLocation: sourceLocation)
}

func event(_ seq: Int64, session: String = "ses_a", sessionSeq: Int64? = nil, type: String = "message.created") -> EventRecord {
    EventRecord(seq: seq, id: "evt_\(seq)", sessionID: session, sessionSeq: sessionSeq ?? seq, type: type, data: "{}",
                createdAt: "2026-01-01T00:00:00.000Z")
}

@Suite struct EventBusTests {
    @Test func deliversToSessionAndGlobalSubscribers() async throws {
        let bus = EventBus()
        let a = bus.subscribe(session: "ses_a")
        let b = bus.subscribe(session: "ses_b")
        let all = bus.subscribe(session: nil)
        #expect(bus.subscriberCount == 3)
        let e1 = event(1, session: "ses_a", sessionSeq: 1)
        let e2 = event(2, session: "ses_b", sessionSeq: 1)
        let e3 = event(3, session: "ses_a", sessionSeq: 2)
        bus.publish([e1, e2, e3])
        #expect(try await next(a) == .events([e1, e3]))
        #expect(try await next(b) == .events([e2]))
        #expect(try await next(all) == .events([e1, e2, e3]))
        bus.publish([])
        // Another session's events reach only the global subscriber.
        let e4 = event(4, session: "ses_c")
        bus.publish([e4])
        #expect(try await next(all) == .events([e4]))
        try await expectNothingPending(a)
        try await expectNothingPending(b)
        a.close(); b.close(); all.close()
        #expect(bus.subscriberCount == 0)
    }

    @Test func buffersBetweenReadsAndKeepsOrder() async throws {
        let bus = EventBus(bufferLimit: 10)
        let sub = bus.subscribe(session: "ses_a")
        defer { sub.close() }
        let events = (1...5).map { event(Int64($0)) }
        bus.publish([events[0]])
        bus.publish([events[1], events[2]])
        bus.publish([events[3], events[4]])
        #expect(try await next(sub) == .events(events), "one batch with everything, in order")
        // A waiting reader is woken by the next publish.
        let waiting = Task { await sub.next() }
        try await Task.sleep(for: .milliseconds(20))
        let e6 = event(6)
        bus.publish([e6])
        let woken = await waiting.value
        #expect(woken == .events([e6]))
    }

    @Test func aSubscriberOverItsBufferIsToldItLagged() async throws {
        let bus = EventBus(bufferLimit: 3)
        let slow = bus.subscribe(session: "ses_a")
        let fast = bus.subscribe(session: "ses_a")
        defer { slow.close(); fast.close() }
        let events = (1...4).map { event(Int64($0)) }
        bus.publish([events[0], events[1]])
        #expect(try await next(fast) == .events([events[0], events[1]]))
        bus.publish([events[2], events[3]]) // slow now holds 4 > 3
        #expect(try await next(fast) == .events([events[2], events[3]]), "one slow subscriber does not affect another")
        #expect(try await next(slow) == .lagged)
        // Events published while lagged are dropped too: the subscriber re-reads from the store.
        // After `.lagged` it gets only what is published from then on.
        let e5 = event(5)
        bus.publish([e5])
        #expect(try await next(slow) == .events([e5]))
    }

    @Test func eventsPublishedWhileLaggedAreNotBuffered() async throws {
        let bus = EventBus(bufferLimit: 2)
        let sub = bus.subscribe(session: nil)
        defer { sub.close() }
        bus.publish((1...3).map { event(Int64($0)) }) // one batch over the limit
        bus.publish([event(4)])
        #expect(try await next(sub) == .lagged)
        // Nothing is left: the lag covers event 4 as well.
        try await expectNothingPending(sub)
        let e6 = event(6)
        bus.publish([e6])
        #expect(try await next(sub) == .events([e6]))
    }

    @Test func publishingNeverWaitsForASubscriber() {
        let bus = EventBus(bufferLimit: 8)
        let subs = (0..<20).map { _ in bus.subscribe(session: "ses_a") }
        defer { subs.forEach { $0.close() } }
        // Nobody reads: 10,000 events still publish at once (each subscriber just lags).
        for i in 0..<10_000 { bus.publish([event(Int64(i))]) }
        #expect(bus.subscriberCount == 20)
    }

    @Test func pingSemantics() async throws {
        let bus = EventBus()
        let sub = bus.subscribe(session: "ses_a")
        defer { sub.close() }
        // A waiting reader is woken by a ping.
        let waiting = Task { await sub.next() }
        try await Task.sleep(for: .milliseconds(20))
        sub.ping()
        #expect(await waiting.value == .ping)
        // A ping with nobody waiting is remembered once.
        sub.ping()
        sub.ping()
        #expect(try await next(sub) == .ping)
        try await expectNothingPending(sub)
        // Events take precedence over a ping and absorb it.
        sub.ping()
        let e1 = event(1)
        bus.publish([e1])
        #expect(try await next(sub) == .events([e1]))
        try await expectNothingPending(sub)
        // A lag comes first as well.
        let small = EventBus(bufferLimit: 1)
        let lagging = small.subscribe(session: nil)
        defer { lagging.close() }
        lagging.ping()
        small.publish([event(1), event(2)])
        #expect(try await next(lagging) == .lagged)
    }

    @Test func closeSemantics() async throws {
        let bus = EventBus()
        let sub = bus.subscribe(session: "ses_a")
        let other = bus.subscribe(session: "ses_a")
        defer { other.close() }
        let waiting = Task { await sub.next() }
        try await Task.sleep(for: .milliseconds(20))
        sub.close()
        #expect(await waiting.value == nil, "a waiting reader ends when the subscription closes")
        #expect(bus.subscriberCount == 1)
        #expect(await sub.next() == nil, "reads after close end at once")
        bus.publish([event(1)])
        sub.ping()
        #expect(await sub.next() == nil, "nothing is delivered after close")
        #expect(try await next(other) == .events([event(1)]), "other subscribers are unaffected")
        sub.close() // twice is harmless
        #expect(bus.subscriberCount == 1)
    }

    @Test func bufferedEventsAreDroppedOnClose() async throws {
        let bus = EventBus()
        let sub = bus.subscribe(session: "ses_a")
        bus.publish([event(1)])
        sub.close()
        #expect(await sub.next() == nil)
    }

    @Test func cancellingAReaderClosesTheSubscription() async throws {
        let bus = EventBus()
        let sub = bus.subscribe(session: nil)
        let reader = Task { await sub.next() }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect(await reader.value == nil)
        #expect(bus.subscriberCount == 0)
        #expect(await sub.next() == nil)
    }
}
