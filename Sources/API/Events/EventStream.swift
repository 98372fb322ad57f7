import Core
import HTTP
import Store

/// Server-Sent Events for one session (ids: the session's sequence) or for all sessions (ids: the
/// global sequence). A stream first replays what the store has after `Last-Event-ID`, then follows
/// the bus; when the bus says it lagged, or an id skips ahead, it reads the gap back from the
/// store. The stream therefore never has gaps, also across reconnects and restarts.
struct EventStream: Sendable {
    enum Scope: Sendable {
        case session(String)
        case all
    }

    let core: WardenCore
    let scope: Scope
    let pingInterval: Duration
    static let batch = 500

    func response(after lastID: Int64) -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                        "X-Accel-Buffering": "no"],
                 body: .stream { writer in try await run(writer, after: lastID) })
    }

    private func run(_ writer: BodyWriter, after lastID: Int64) async throws {
        let subscription: EventSubscription
        switch scope {
        case .session(let id): subscription = core.bus.subscribe(session: id)
        case .all: subscription = core.bus.subscribe(session: nil)
        }
        defer { subscription.close() }
        let interval = pingInterval
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                subscription.ping()
            }
        }
        defer { ticker.cancel() }

        var last = lastID
        try await writer.write(": connected\n\n")
        last = try await catchUp(writer, after: last)
        while let delivery = await subscription.next() {
            switch delivery {
            case .ping:
                try await writer.write(": ping\n\n")
            case .lagged:
                last = try await catchUp(writer, after: last)
            case .events(let events):
                for event in events {
                    let id = sequence(of: event)
                    if id <= last { continue }
                    if id == last + 1 {
                        try await writer.write(Self.format(event, id: id))
                        last = id
                    } else {
                        last = try await catchUp(writer, after: last)
                    }
                }
            }
        }
    }

    private func sequence(of event: EventRecord) -> Int64 {
        switch scope {
        case .session: return event.sessionSeq
        case .all: return event.seq
        }
    }

    /// Writes every stored event after `last`; returns the new last id.
    private func catchUp(_ writer: BodyWriter, after last: Int64) async throws -> Int64 {
        var last = last
        while true {
            let after = last, scope = self.scope
            let events = try await core.read { db -> [EventRecord] in
                switch scope {
                case .session(let id): return try EventRepository(db).after(session: id, sessionSeq: after, limit: Self.batch)
                case .all: return try EventRepository(db).after(seq: after, limit: Self.batch)
                }
            }
            if !events.isEmpty {
                var chunk: [UInt8] = []
                for event in events {
                    let id = sequence(of: event)
                    chunk.append(contentsOf: Self.format(event, id: id))
                    last = id
                }
                try await writer.write(chunk)
            }
            if events.count < Self.batch { return last }
        }
    }

    static func format(_ event: EventRecord, id: Int64) -> [UInt8] {
        Array("id: \(id)\nevent: \(event.type)\ndata: \(Event(event).json)\n\n".utf8)
    }

    static func lastEventID(_ request: Request) throws -> Int64 {
        guard let value = request.headers["Last-Event-ID"] ?? request.queryParameters["last_event_id"] else { return 0 }
        guard let id = Int64(value.trimmingCharacters(in: .whitespaces)), id >= 0 else {
            throw APIError.invalid("Last-Event-ID", "Last-Event-ID must be the id of an event received before.")
        }
        return id
    }
}

enum EventRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.get("/v1/sessions/{id}/events", ctx.route(Access.sessionEvents, "read session events") { request, principal in
            let id = request.parameters["id"]!
            let last = try EventStream.lastEventID(request)
            _ = try await ctx.visibleSession(id, for: principal)
            return EventStream(core: ctx.core, scope: .session(id), pingInterval: ctx.configuration.pingInterval)
                .response(after: last)
        })
        router.get("/v1/events", ctx.route(Access.globalEvents, "read all events") { request, _ in
            let last = try EventStream.lastEventID(request)
            return EventStream(core: ctx.core, scope: .all, pingInterval: ctx.configuration.pingInterval).response(after: last)
        })
    }
}

import Foundation
