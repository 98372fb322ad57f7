import Store
import Synchronization

/// Fans committed events out to live subscribers (SSE streams, later webhooks and chat cards).
/// Publishing never waits for a subscriber: each has a bounded buffer, and one that falls
/// behind is told it lagged and catches up from the database, so a slow reader can neither
/// stall writers nor miss an event.
public final class EventBus: Sendable {
    private struct Registry {
        var bySession: [String: [ObjectIdentifier: EventSubscription]] = [:]
        var global: [ObjectIdentifier: EventSubscription] = [:]
    }
    private let registry = Mutex(Registry())
    public let bufferLimit: Int

    public init(bufferLimit: Int = 1024) { self.bufferLimit = bufferLimit }

    /// `session` nil subscribes to every session's events.
    public func subscribe(session: String?) -> EventSubscription {
        let subscription = EventSubscription(bus: self, session: session, limit: bufferLimit)
        registry.withLock { r in
            if let session {
                r.bySession[session, default: [:]][ObjectIdentifier(subscription)] = subscription
            } else {
                r.global[ObjectIdentifier(subscription)] = subscription
            }
        }
        return subscription
    }

    func unsubscribe(_ subscription: EventSubscription) {
        registry.withLock { r in
            if let session = subscription.session {
                r.bySession[session]?[ObjectIdentifier(subscription)] = nil
                if r.bySession[session]?.isEmpty == true { r.bySession[session] = nil }
            } else {
                r.global[ObjectIdentifier(subscription)] = nil
            }
        }
    }

    public func publish(_ events: [EventRecord]) {
        guard !events.isEmpty else { return }
        let targets = registry.withLock { r -> [(EventSubscription, [EventRecord])] in
            var out: [(EventSubscription, [EventRecord])] = r.global.values.map { ($0, events) }
            var bySession: [String: [EventRecord]] = [:]
            for e in events { bySession[e.sessionID, default: []].append(e) }
            for (session, list) in bySession {
                for sub in r.bySession[session]?.values ?? [:].values { out.append((sub, list)) }
            }
            return out
        }
        for (subscription, list) in targets { subscription.deliver(list) }
    }

    public var subscriberCount: Int {
        registry.withLock { r in r.global.count + r.bySession.values.reduce(0) { $0 + $1.count } }
    }
}

/// One live subscriber. `next()` waits for the next delivery; `ping()` wakes it for a keep-alive.
public final class EventSubscription: Sendable {
    public enum Delivery: Sendable, Equatable {
        case events([EventRecord])
        /// Events were dropped because this subscriber fell behind: re-read from the store.
        case lagged
        /// Nothing happened for a while (see `ping()`).
        case ping
    }

    private struct State {
        var buffer: [EventRecord] = []
        var lagged = false
        var pinged = false
        var closed = false
        var waiter: CheckedContinuation<Delivery?, Never>?
    }

    private let bus: EventBus
    let session: String?
    private let limit: Int
    private let state = Mutex(State())

    init(bus: EventBus, session: String?, limit: Int) {
        self.bus = bus
        self.session = session
        self.limit = limit
    }

    func deliver(_ events: [EventRecord]) {
        let resume = state.withLock { s -> (CheckedContinuation<Delivery?, Never>, Delivery)? in
            guard !s.closed else { return nil }
            if s.buffer.count + events.count > limit {
                s.buffer.removeAll()
                s.lagged = true
            } else if !s.lagged {
                s.buffer.append(contentsOf: events)
            }
            return take(&s)
        }
        if let (waiter, delivery) = resume { waiter.resume(returning: delivery) }
    }

    /// Wakes a waiting `next()` with `.ping` (or makes the next call return it).
    public func ping() {
        let resume = state.withLock { s -> (CheckedContinuation<Delivery?, Never>, Delivery)? in
            guard !s.closed else { return nil }
            s.pinged = true
            return take(&s)
        }
        if let (waiter, delivery) = resume { waiter.resume(returning: delivery) }
    }

    /// The next delivery, or nil once the subscription is closed (or its task cancelled).
    public func next() async -> Delivery? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Delivery?, Never>) in
                let immediate = state.withLock { s -> Delivery?? in
                    if s.closed { return .some(nil) }
                    if let d = pop(&s) { return .some(d) }
                    s.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            close()
        }
    }

    public func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Delivery?, Never>? in
            s.closed = true
            s.buffer.removeAll()
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
        bus.unsubscribe(self)
    }

    private func take(_ s: inout State) -> (CheckedContinuation<Delivery?, Never>, Delivery)? {
        guard let waiter = s.waiter, let delivery = pop(&s) else { return nil }
        s.waiter = nil
        return (waiter, delivery)
    }

    private func pop(_ s: inout State) -> Delivery? {
        if s.lagged {
            s.lagged = false
            s.pinged = false
            return .lagged
        }
        if !s.buffer.isEmpty {
            defer { s.buffer.removeAll(); s.pinged = false }
            return .events(s.buffer)
        }
        if s.pinged {
            s.pinged = false
            return .ping
        }
        return nil
    }
}
