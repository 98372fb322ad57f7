import Core
import Foundation
import HTTP
import Store
import TestSupport
import Testing
@testable import Webhooks

/// Deliveries end to end: events committed through the core reach a real HTTP endpoint on
/// 127.0.0.1, signed, once, and retried as the endpoint's answers require.
@Suite struct WebhookDeliveryTests {
    @Test func aCompletedRunIsDeliveredOnceWithAValidSignature() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver()
            let webhook = try await h.createWebhook(url: receiver.url, events: [.runCompleted])
            let session = try await h.session()
            let run = try await h.finishRun(in: session)

            let deliveries = try await h.settled(webhook.id, count: 1)
            #expect(receiver.requests.count == 1, "once, though the run produced four other events")
            let delivery = try #require(deliveries.first)
            #expect(delivery.status == "delivered" && delivery.attempts == 1 && delivery.lastStatusCode == 200)
            #expect(delivery.deliveredAt != nil && delivery.nextAttemptAt == nil && delivery.lastError == nil)
            #expect(delivery.eventType == "run.completed")

            let request = try #require(receiver.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == .origin(path: "/hooks/warden", query: "token=t0ken"))
            #expect(request.headers["Content-Type"] == "application/json")
            #expect(request.headers["webhook-id"] == delivery.id, "the message id is the delivery's")
            #expect(hasValidSignature(request, secret: webhook.secret))
            let sent = try #require(Int64(request.headers["webhook-timestamp"] ?? ""))
            #expect(abs(sent - Timestamp.unixSeconds()) < 600, "Unix seconds, not milliseconds")
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(request.body))
            guard case .object(let payload) = body, case .object(let data)? = payload["data"] else {
                Issue.record("payload \(body)"); return
            }
            #expect(Set(payload.keys) == ["type", "timestamp", "data"], "the Standard Webhooks shape")
            #expect(payload["type"] == .string("run.completed"))
            #expect(payload["timestamp"].flatMap { if case .string(let s) = $0 { Timestamp.parse(s) } else { nil } } != nil)
            #expect(data["id"] == .string(run) && data["object"] == .string("run") && data["status"] == .string("completed"))
            #expect(data["session_id"] == .string(session))
        }
    }

    @Test func approvalsReachTheWebhooksSubscribedToThemInOrder() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver()
            let requestedOnly = try await h.createWebhook(url: receiver.url + "&which=requested", events: [.approvalRequested])
            let both = try await h.createWebhook(url: receiver.url + "&which=both",
                                                 events: [.approvalResolved, .approvalRequested])
            let runsOnly = try await h.createWebhook(url: receiver.url + "&which=runs", events: [.runFailed])
            let session = try await h.session()
            let approval = try await h.requestApproval(in: session)
            _ = try await h.core.write { tx in try tx.decideApproval(approval.id, approve: false, reason: "no", by: "key_x") }

            let first = try await h.settled(requestedOnly.id, count: 1)
            let second = try await h.settled(both.id, count: 2)
            #expect(first.map(\.eventType) == ["approval.requested"])
            #expect(second.map(\.eventType) == ["approval.requested", "approval.resolved"])
            #expect(try await h.deliveries(runsOnly.id).isEmpty)
            let toBoth = receiver.requests.filter { $0.target == .origin(path: "/hooks/warden", query: "token=t0ken&which=both") }
            #expect(toBoth.map { $0.headers["webhook-id"] } == second.map(\.id), "sent in event order")
            #expect(toBoth.allSatisfy { hasValidSignature($0, secret: both.secret) })
            #expect(!toBoth.contains { hasValidSignature($0, secret: requestedOnly.secret) }, "each webhook has its own secret")
            let resolved = try JSONDecoder().decode(JSONValue.self, from: Data(toBoth[1].body))
            guard case .object(let payload) = resolved, case .object(let data)? = payload["data"] else { return }
            #expect(data["id"] == .string(approval.id) && data["status"] == .string("denied"))
        }
    }

    @Test func aFailedAnswerIsRetriedWithTheSameIdAndAFreshSignature() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver(answers: [Receiver.answer(500), Receiver.answer(502)])
            let webhook = try await h.createWebhook(url: receiver.url, events: [.runFailed])
            try await h.finishRun(in: try await h.session(), status: .failed)

            let delivery = try #require(try await h.settled(webhook.id, count: 1).first)
            #expect(delivery.status == "delivered" && delivery.attempts == 3 && delivery.lastStatusCode == 200)
            let requests = receiver.requests
            #expect(requests.count == 3)
            #expect(Set(requests.map { $0.headers["webhook-id"] }) == [delivery.id], "a retry keeps its webhook-id")
            #expect(requests.allSatisfy { hasValidSignature($0, secret: webhook.secret) })
            #expect(Set(requests.map(\.body)).count == 1, "every attempt sends the same body")
        }
    }

    @Test func anEndpointThatNeverAcceptsIsGivenUpAfterTheSchedule() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver(answers: Array(repeating: Receiver.answer(500), count: 10))
            let webhook = try await h.createWebhook(url: receiver.url, events: [.runCompleted])
            try await h.finishRun(in: try await h.session())

            let delivery = try #require(try await h.settled(webhook.id, count: 1).first)
            #expect(delivery.status == "failed")
            #expect(delivery.attempts == 4, "the first attempt and the schedule's three retries")
            #expect(delivery.lastStatusCode == 500 && delivery.lastError == "the endpoint answered 500")
            #expect(delivery.nextAttemptAt == nil && delivery.deliveredAt == nil)
            #expect(receiver.requests.count == 4)
        }
    }

    @Test func anUnreachableEndpointIsRetriedAndTheReasonLogged() async throws {
        try await WebhookHarness.with { h in
            let closed = try ReservedPort() // bound, never listening: connections are refused
            let webhook = try await h.createWebhook(url: "http://127.0.0.1:\(closed.port)/hooks", events: [.runCompleted])
            try await h.finishRun(in: try await h.session())
            let delivery = try #require(try await h.settled(webhook.id, count: 1).first)
            #expect(delivery.status == "failed" && delivery.attempts == 4)
            #expect(delivery.lastStatusCode == nil)
            #expect(delivery.lastError?.contains("connect") == true, "\(delivery.lastError ?? "")")
        }
    }

    /// `Retry-After` sets the next attempt no earlier than the endpoint asked, however short
    /// the schedule: an hour here, so the delivery stays pending.
    @Test func retryAfterIsHonoured() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver(answers: [Receiver.answer(429, headers: ["Retry-After": "3600"])])
            let webhook = try await h.createWebhook(url: receiver.url, events: [.runCompleted])
            try await h.finishRun(in: try await h.session())

            try await eventually("the first attempt is recorded") {
                try await h.deliveries(webhook.id).first?.attempts == 1
            }
            let delivery = try #require(try await h.deliveries(webhook.id).first)
            #expect(delivery.status == "pending" && delivery.lastStatusCode == 429)
            let attempted = try #require(delivery.lastAttemptAt.flatMap(Timestamp.parse))
            let next = try #require(delivery.nextAttemptAt.flatMap(Timestamp.parse))
            #expect(next.timeIntervalSince(attempted) >= 3600)
            #expect(receiver.requests.count == 1)
        }
    }

    @Test func aShortRetryAfterOn503IsFollowedByTheRetry() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver(answers: [Receiver.answer(503, headers: ["Retry-After": "1"])])
            let webhook = try await h.createWebhook(url: receiver.url, events: [.runCompleted])
            try await h.finishRun(in: try await h.session())
            let delivery = try #require(try await h.settled(webhook.id, count: 1).first)
            #expect(delivery.status == "delivered" && delivery.attempts == 2)
            #expect(receiver.requests.count == 2)
        }
    }

    /// One endpoint that hangs holds its own slot, not the others': with one attempt per webhook
    /// at a time, the healthy endpoint receives every event while the first request to the
    /// hanging one is still waiting.
    @Test func aHangingEndpointDoesNotHoldUpTheOthers() async throws {
        var configuration = WebhookHarness.testConfiguration()
        configuration.attemptTimeout = .seconds(120) // the hanging request must not time out meanwhile
        try await WebhookHarness.with(configuration) { h in
            let hanging = try h.receiver(hold: true)
            let healthy = try h.receiver()
            let slow = try await h.createWebhook(url: hanging.url, events: [.runCompleted])
            let fast = try await h.createWebhook(url: healthy.url, events: [.runCompleted])
            let session = try await h.session()
            for _ in 0..<3 { try await h.finishRun(in: session) }

            _ = try await h.settled(fast.id, count: 3)
            #expect(healthy.requests.count == 3)
            #expect(hanging.requests.count == 1, "its other deliveries wait for its one slot")
            hanging.release()
            _ = try await h.settled(slow.id, count: 3)
            #expect(hanging.requests.count == 3)
        }
    }
}
