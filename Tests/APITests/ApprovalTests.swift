import Foundation
import Testing
import TestSupport
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct ApprovalTests {
    @Test func listFilterAndGet() async throws {
        try await withFixture { f in
            let s1 = try await f.createSession(as: f.operatorKey)
            let s2 = try await f.createSession(as: f.operatorKey)
            let (_, run) = try await f.postMessage(s1, as: f.operatorKey)
            let a1 = try await f.requestApproval(s1, run: run)
            let a2 = try await f.requestApproval(s2)
            let a3 = try await f.requestApproval(s1)
            #expect(IDGenerator.isValid(a1.id, kind: .approval))

            let got = try await f.get("/v1/approvals/\(a1.id)", as: f.approver)
            #expect(got.status == 200)
            let a = got.json
            #expect(a["object"]?.string == "approval")
            #expect(a["status"]?.string == "pending")
            #expect(a["session_id"]?.string == s1)
            #expect(a["run_id"]?.string == run)
            #expect(a["kind"]?.string == "http_request")
            #expect(a["summary"]?.string == "POST api.example.com/v1/charge")
            #expect(a["request"]?["method"]?.string == "POST")
            #expect(a["request"]?["host"]?.string == "api.example.com")
            #expect(a["request"]?["path"]?.string == "/v1/charge")
            #expect(a["request"]?["headers"]?["content-type"]?.string == "application/json")
            #expect(a["request"]?["body_preview"]?.string == #"{"amount":5}"#)
            #expect(a["decision"]?.isNull == true)
            #expect((a["expires_at"]?.string ?? "") > (a["created_at"]?.string ?? "~"))

            let all = try await f.get("/v1/approvals", as: f.operatorKey)
            #expect(all.ids == [a3.id, a2.id, a1.id])
            let bySession = try await f.get("/v1/approvals?session_id=\(s1)&order=asc", as: f.approver)
            #expect(bySession.ids == [a1.id, a3.id])

            _ = try await f.post("/v1/approvals/\(a3.id)/decision", as: f.approver, json: #"{"decision":"deny"}"#)
            let pending = try await f.get("/v1/approvals?status=pending", as: f.approver)
            #expect(pending.ids == [a2.id, a1.id])
            let denied = try await f.get("/v1/approvals?status=denied", as: f.approver)
            #expect(denied.ids == [a3.id])
            let both = try await f.get("/v1/approvals?status=pending&session_id=\(s1)", as: f.approver)
            #expect(both.ids == [a1.id])
            let paged = try await f.get("/v1/approvals?limit=2", as: f.approver)
            #expect(paged.ids == [a3.id, a2.id])
            #expect(paged.json["has_more"]?.bool == true)
            let bad = try await f.get("/v1/approvals?status=maybe", as: f.approver)
            #expect(bad.status == 400)
            #expect(bad.errorParam == "status")

            let ghost = try await f.get("/v1/approvals/apr_01NOSUCHAPPROVAL00000000000", as: f.approver)
            #expect(ghost.status == 404)
            #expect(ghost.errorType == "not_found")

            // Requesting an approval emits approval.requested in the session's stream.
            let events = try await f.storedEvents(s1).filter { $0.type.hasPrefix("approval.") }
            #expect(events.map(\.type) == ["approval.requested", "approval.requested", "approval.resolved"])
        }
    }

    @Test func approverDecidesAndTheWaiterWakes() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            let approval = try await f.requestApproval(session)
            let core = f.core
            let waiter = Task { try await core.awaitDecision(approval.id) }
            try await eventually(within: 5, "the waiter registered") { core.approvals.waitingCount == 1 }

            // Operator and client may not decide.
            for key in [f.operatorKey, f.client] {
                let refused = try await f.post("/v1/approvals/\(approval.id)/decision", as: key, json: #"{"decision":"approve"}"#)
                #expect(refused.status == 403, "\(key)")
                #expect(refused.errorType == "permission")
            }
            // A bad decision is refused and changes nothing.
            for body in [#"{"decision":"maybe"}"#, #"{}"#, #"{"decision":true}"#,
                         #"{"decision":"approve","reason":"\#(String(repeating: "r", count: 1001))"}"#] {
                let bad = try await f.post("/v1/approvals/\(approval.id)/decision", as: f.approver, json: body)
                #expect(bad.status == 400, "\(body.prefix(40)): \(bad)")
                #expect(bad.errorParam == (body.contains("rrrr") ? "reason" : "decision"), "\(body.prefix(40)): \(bad)")
            }
            #expect(try await f.core.approval(approval.id)?.status == "pending")

            let decided = try await f.post("/v1/approvals/\(approval.id)/decision", as: f.approver,
                                           json: #"{"decision":"approve","reason":"looks right"}"#)
            #expect(decided.status == 200, "\(decided)")
            #expect(decided.json["status"]?.string == "approved")
            #expect(decided.json["decision"]?["decision"]?.string == "approve")
            #expect(decided.json["decision"]?["by"]?.string == f.approver.id)
            #expect(decided.json["decision"]?["reason"]?.string == "looks right")
            #expect(decided.json["decision"]?["decided_at"]?.string != nil)

            let result = try await withDeadline(5, "awaitDecision") { try await waiter.value }
            #expect(result.status == "approved")
            #expect(result.decision?.by == f.approver.id)
            #expect(result.decision?.reason == "looks right")
            #expect(core.approvals.waitingCount == 0)

            // Once decided: GET shows it, a second decision is a conflict, a late waiter returns at once.
            let got = try await f.get("/v1/approvals/\(approval.id)", as: f.operatorKey)
            #expect(got.json == decided.json)
            let second = try await f.post("/v1/approvals/\(approval.id)/decision", as: f.admin, json: #"{"decision":"deny"}"#)
            #expect(second.status == 409, "\(second)")
            #expect(second.errorType == "conflict")
            #expect(second.errorCode == "approval_decided")
            let late = try await withDeadline(5, "late awaitDecision") { try await core.awaitDecision(approval.id) }
            #expect(late.status == "approved")

            let events = try await f.storedEvents(session)
            #expect(events.map(\.type) == ["approval.requested", "approval.resolved"])
            #expect(JSONValue.decode(events[1].data)["status"]?.string == "approved")

            let ghost = try await f.post("/v1/approvals/apr_01NOSUCHAPPROVAL00000000000/decision", as: f.approver,
                                         json: #"{"decision":"approve"}"#)
            #expect(ghost.status == 404)
        }
    }

    @Test func denyByAdmin() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.admin)
            let approval = try await f.requestApproval(session)
            let core = f.core
            let waiter = Task { try await core.awaitDecision(approval.id) }
            let denied = try await f.post("/v1/approvals/\(approval.id)/decision", as: f.admin, json: #"{"decision":"deny"}"#)
            #expect(denied.status == 200)
            #expect(denied.json["status"]?.string == "denied")
            #expect(denied.json["decision"]?["reason"]?.isNull == true)
            let result = try await withDeadline(5, "awaitDecision") { try await waiter.value }
            #expect(result.status == "denied")
        }
    }

    @Test func expiryResolvesPendingApprovals() async throws {
        try await withFixture { f in
            let session = try await f.createSession(as: f.operatorKey)
            let short = try await f.requestApproval(session, expiresIn: 0.2)
            let long = try await f.requestApproval(session, expiresIn: 180)
            let core = f.core
            let subscription = core.bus.subscribe(session: session)
            defer { subscription.close() }
            let waiter = Task { try await core.awaitDecision(short.id) }

            // Expire until the short one is due (no assumption about how long that takes).
            var expired = 0
            let deadline = ContinuousClock.now + .seconds(5)
            while expired == 0 && ContinuousClock.now < deadline {
                expired += try await core.expireApprovals()
                if expired == 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(expired == 1, "only the approval past its time expires")
            let result = try await withDeadline(5, "awaitDecision on expiry") { try await waiter.value }
            #expect(result.id == short.id)
            #expect(result.status == "expired")

            let got = try await f.get("/v1/approvals/\(short.id)", as: f.approver)
            #expect(got.json["status"]?.string == "expired")
            #expect(got.json["decision"]?.isNull == true)
            #expect(try await f.core.approval(long.id)?.status == "pending")

            let delivery = try await withDeadline(5, "approval.resolved on the bus") { await subscription.next() }
            guard case .events(let events)? = delivery else { Issue.record("got \(String(describing: delivery))"); return }
            #expect(events.map(\.type) == ["approval.resolved"])
            #expect(JSONValue.decode(events[0].data)["id"]?.string == short.id)
            #expect(JSONValue.decode(events[0].data)["status"]?.string == "expired")

            // A decision after expiry is a conflict.
            let late = try await f.post("/v1/approvals/\(short.id)/decision", as: f.approver, json: #"{"decision":"approve"}"#)
            #expect(late.status == 409)

            // Start-up expires everything still pending: whoever waited is gone.
            let longWaiter = Task { try await core.awaitDecision(long.id) }
            try await eventually(within: 5, "the waiter registered") { core.approvals.waitingCount == 1 }
            #expect(try await core.expireApprovals() == 0, "not due yet")
            #expect(try await core.expireApprovals(all: true) == 1)
            let longResult = try await withDeadline(5, "awaitDecision on expire-all") { try await longWaiter.value }
            #expect(longResult.status == "expired")
            #expect(try await core.expireApprovals(all: true) == 0, "nothing left to expire")

            let stored = try await f.storedEvents(session).map(\.type)
            #expect(stored == ["approval.requested", "approval.requested", "approval.resolved", "approval.resolved"])
            let audit = try await f.get("/v1/audit?kind=approval.expired", as: f.admin)
            #expect(audit.json["data"]?.array?.compactMap { $0["subject_id"]?.string } == [long.id, short.id])
        }
    }

    /// A restart expires approvals the previous process left pending (SPEC §5).
    @Test func restartExpiresPendingApprovals() async throws {
        let f = try await APIFixture.make()
        let session = try await f.createSession(as: f.operatorKey)
        let approval = try await f.requestApproval(session)
        let g = try await f.restarted()
        defer { g.remove() }
        let got = try await g.get("/v1/approvals/\(approval.id)", as: g.approver)
        await g.stop()
        #expect(got.json["status"]?.string == "expired")
    }
}
