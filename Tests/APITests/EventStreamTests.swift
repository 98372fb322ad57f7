import Foundation
import Testing
import TestSupport
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct EventStreamTests {
    /// Checks that `events` are exactly the session events `first...` in order, and that each
    /// `data:` is the stored event envelope with the resource it is about.
    static func expectSequence(_ events: [SSEEvent], from first: Int, session: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(events.map(\.id) == Array(first..<(first + events.count)).map(Optional.some),
                "ids \(events.map(\.id))", sourceLocation: sourceLocation)
        for event in events {
            let json = event.json
            #expect(json["object"]?.string == "event", sourceLocation: sourceLocation)
            #expect(json["type"]?.string == event.event, sourceLocation: sourceLocation)
            #expect(json["session_id"]?.string == session, sourceLocation: sourceLocation)
            #expect(json["seq"]?.int == event.id, sourceLocation: sourceLocation)
            #expect(IDGenerator.isValid(json["id"]?.string ?? "", kind: .event), sourceLocation: sourceLocation)
            #expect(json["data"]?["id"]?.string != nil, sourceLocation: sourceLocation)
        }
    }

    /// The ids of the resources two events per message are about: message then run.
    static func resources(_ events: [SSEEvent]) -> [String] {
        events.compactMap { $0.json["data"]?["id"]?.string }
    }

    @Test func sessionStreamResumesAcrossReconnectsAndARestart() async throws {
        let f = try await APIFixture.make()
        var g: APIFixture?
        do {
            let session = try await f.createSession(as: f.client)
            let path = "/v1/sessions/\(session)/events"

            // Live: each message is message.created then run.created, ids 1, 2, …
            var stream = try await f.openStream(path, as: f.client)
            #expect(stream.status == 200)
            #expect(stream.headers["Content-Type"] == "text/event-stream")
            #expect(stream.headers["Cache-Control"] == "no-cache")
            #expect(try await stream.nextComment() == "connected")
            let m1 = try await f.postMessage(session, "one", as: f.client)
            let m2 = try await f.postMessage(session, "two", as: f.client)
            let live = try await stream.events(4)
            Self.expectSequence(live, from: 1, session: session)
            #expect(live.map(\.event) == ["message.created", "run.created", "message.created", "run.created"])
            #expect(Self.resources(live) == [m1.message, m1.run, m2.message, m2.run])

            // Disconnect; the server lets go of the subscription.
            stream.close()
            try await eventually(within: 5, "the server dropped the closed stream's subscription") {
                f.core.bus.subscriberCount == 0
            }
            let m3 = try await f.postMessage(session, "three", as: f.client)
            let m4 = try await f.postMessage(session, "four", as: f.client)

            // Reconnect with the last id seen: exactly the missed events, then live ones.
            stream = try await f.openStream(path, as: f.client, lastEventID: 4)
            #expect(try await stream.nextComment() == "connected")
            let missed = try await stream.events(4)
            Self.expectSequence(missed, from: 5, session: session)
            #expect(Self.resources(missed) == [m3.message, m3.run, m4.message, m4.run])
            let m5 = try await f.postMessage(session, "five", as: f.client)
            let next = try await stream.events(2)
            Self.expectSequence(next, from: 9, session: session)
            #expect(Self.resources(next) == [m5.message, m5.run], "no duplicate and no gap after the replay")
            stream.close()

            // Missed before the restart, and after it.
            let m6 = try await f.postMessage(session, "six", as: f.client)
            let restarted = try await f.restarted()
            g = restarted
            let m7 = try await restarted.postMessage(session, "seven", as: restarted.client)
            stream = try await restarted.openStream(path, as: restarted.client, lastEventID: 10)
            #expect(stream.status == 200)
            let afterRestart = try await stream.events(4)
            Self.expectSequence(afterRestart, from: 11, session: session)
            #expect(Self.resources(afterRestart) == [m6.message, m6.run, m7.message, m7.run])
            let m8 = try await restarted.postMessage(session, "eight", as: restarted.client)
            let tail = try await stream.events(2)
            Self.expectSequence(tail, from: 15, session: session)
            #expect(Self.resources(tail) == [m8.message, m8.run])
            stream.close()

            // From the start: everything, once.
            let replay = try await restarted.openStream(path, as: restarted.client, headers: [("Last-Event-ID", "0")])
            let everything = try await replay.events(16)
            Self.expectSequence(everything, from: 1, session: session)
            replay.close()
        } catch {
            Issue.record(error)
        }
        await (g ?? f).stop()
        f.remove()
    }

    /// Catch-up reads the store in batches; a long history arrives whole and in order.
    @Test func longCatchUpAcrossStoreBatches() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            let other = try await f.createSession(as: f.operatorKey)
            try await f.core.write { tx in
                for i in 0..<650 {
                    _ = try tx.postMessage(IncomingMessage(content: [ContentBlock(text: "m\(i)")]), to: i % 10 == 9 ? other : session)
                }
            }
            let inSession = 2 * 585
            let full = try await f.openStream("/v1/sessions/\(session)/events", as: f.operatorKey, lastEventID: 0)
            let all = try await full.events(inSession, within: 15)
            Self.expectSequence(all, from: 1, session: session)
            full.close()
            let partial = try await f.openStream("/v1/sessions/\(session)/events", as: f.operatorKey, lastEventID: 450)
            let rest = try await partial.events(inSession - 450, within: 15)
            Self.expectSequence(rest, from: 451, session: session)
            #expect(rest.map(\.data) == Array(all.dropFirst(450)).map(\.data))
            // Live events follow the catch-up without a gap.
            _ = try await f.postMessage(session, "live", as: f.operatorKey)
            let live = try await partial.events(2)
            #expect(live.map(\.id) == [inSession + 1, inSession + 2])
            partial.close()

            let global = try await f.openStream("/v1/events", as: f.admin, lastEventID: 100)
            let globalRest = try await global.events(1300 + 2 - 100, within: 15)
            #expect(globalRest.map(\.id) == Array(101...1302).map(Optional.some))
            global.close()
        }
    }

    @Test func lastEventIDAsQueryAndInvalidValues() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            _ = try await f.postMessage(session, as: f.operatorKey)
            _ = try await f.postMessage(session, as: f.operatorKey)
            let stream = try await f.openStream("/v1/sessions/\(session)/events?last_event_id=3", as: f.operatorKey)
            let events = try await stream.events(1)
            #expect(events.map(\.id) == [4])
            stream.close()
            for bad in ["abc", "-1", "1.5"] {
                let reply = try await f.sendMaybeStreaming("GET", "/v1/sessions/\(session)/events", as: f.operatorKey,
                                                           json: nil, headers: [("Last-Event-ID", bad)])
                #expect(reply.status == 400, "Last-Event-ID \(bad): \(reply)")
                #expect(reply.errorType == "invalid_request")
            }
            let ghost = try await f.sendMaybeStreaming("GET", "/v1/sessions/ses_01NOSUCHSESSION000000000000/events",
                                                       as: f.operatorKey, json: nil)
            #expect(ghost.status == 404)
        }
    }

    @Test func pingsKeepAQuietStreamAlive() async throws {
        try await withFixture(pingInterval: .milliseconds(50)) { f in
            let session = try await f.createSession(as: f.operatorKey)
            let stream = try await f.openStream("/v1/sessions/\(session)/events", as: f.operatorKey)
            #expect(try await stream.nextComment() == "connected")
            try await stream.waitForPing(within: 5)
            try await stream.waitForPing(within: 5)
            // Events still flow between pings.
            _ = try await f.postMessage(session, as: f.operatorKey)
            let events = try await stream.events(2)
            #expect(events.map(\.id) == [1, 2])
            try await stream.waitForPing(within: 5)
            stream.close()
        }
    }

    @Test func globalStreamCarriesEverySessionWithGlobalIDs() async throws {
        try await withFixture { f in
            let a = try await f.createSession(as: f.operatorKey)
            let b = try await f.createSession(as: f.client)
            let stream = try await f.openStream("/v1/events", as: f.admin)
            #expect(stream.status == 200)
            #expect(try await stream.nextComment() == "connected")
            let a1 = try await f.postMessage(a, "a1", as: f.operatorKey)
            let b1 = try await f.postMessage(b, "b1", as: f.client)
            let a2 = try await f.postMessage(a, "a2", as: f.operatorKey)
            let approval = try await f.requestApproval(b)
            let events = try await stream.events(7)
            #expect(events.map(\.id) == [1, 2, 3, 4, 5, 6, 7], "global sequence")
            #expect(events.map { $0.json["session_id"]?.string } == [a, a, b, b, a, a, b])
            #expect(events.map { $0.json["seq"]?.int } == [1, 2, 1, 2, 3, 4, 3], "per-session seq in the data")
            #expect(Self.resources(events) == [a1.message, a1.run, b1.message, b1.run, a2.message, a2.run, approval.id])
            #expect(events.last?.event == "approval.requested")
            stream.close()

            // Resumable by the global id, for an approver too.
            let resumed = try await f.openStream("/v1/events", as: f.approver, lastEventID: 4)
            #expect(resumed.status == 200)
            let rest = try await resumed.events(3)
            #expect(rest.map(\.id) == [5, 6, 7])
            #expect(Self.resources(rest) == [a2.message, a2.run, approval.id])
            resumed.close()
        }
    }

    /// A subscriber that falls behind (a bus buffer of one event, two events per message) is
    /// told it lagged; the SSE streams still deliver every event once, in order, from the store.
    /// With the default buffer, concurrent writers publish out of commit order now and then;
    /// the streams are still gap-free and in order.
    @Test(arguments: [1, 1024])
    func concurrentWritersAndLaggingSubscribers(bufferLimit: Int) async throws {
        let bus = EventBus(bufferLimit: bufferLimit)
        try await withFixture(bus: bus) { f in
            let session = try await f.createSession(as: f.operatorKey)
            let other = try await f.createSession(as: f.operatorKey)
            let probe = bus.subscribe(session: session)
            defer { probe.close() }
            let sessionStream = try await f.openStream("/v1/sessions/\(session)/events", as: f.operatorKey)
            let globalStream = try await f.openStream("/v1/events", as: f.admin)
            #expect(try await sessionStream.nextComment() == "connected")
            #expect(try await globalStream.nextComment() == "connected")

            let count = 25
            let posted = try await withThrowingTaskGroup(of: (String, String).self) { group in
                for i in 0..<count {
                    group.addTask { try await f.postMessage(i % 5 == 4 ? other : session, "m\(i)", as: f.operatorKey) }
                }
                var out: [(String, String)] = []
                for try await ids in group { out.append(ids) }
                return out
            }
            #expect(posted.count == count)
            let inSession = count - count / 5

            if bufferLimit == 1 {
                let delivery = try await withDeadline(5, "the probe's delivery") { await probe.next() }
                #expect(delivery == .lagged, "a subscriber over its buffer is told it lagged")
            }

            let events = try await sessionStream.events(2 * inSession, within: 15)
            Self.expectSequence(events, from: 1, session: session)
            let stored = try await f.storedEvents(session)
            #expect(Self.resources(events) == stored.map { JSONValue.decode($0.data)["id"]?.string ?? "" })
            #expect(events.map(\.event) == stored.map(\.type))
            for pair in stride(from: 0, to: events.count, by: 2) {
                #expect(events[pair].event == "message.created")
                #expect(events[pair + 1].event == "run.created")
            }

            let global = try await globalStream.events(2 * count, within: 15)
            #expect(global.map(\.id) == Array(1...(2 * count)).map(Optional.some))
            #expect(Set(global.compactMap { $0.json["data"]?["id"]?.string }).count == 2 * count, "no duplicates")
            sessionStream.close()
            globalStream.close()
        }
    }
}
