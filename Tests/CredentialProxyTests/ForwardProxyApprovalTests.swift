import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// `approve` rules (SPEC §5): the live request is held, a pending approval with a readable,
/// secret-free description is recorded and announced, and only a person's approval lets the
/// exact held request out.
@Suite("Forward proxy: requests held for approval")
struct ForwardProxyApprovalTests {
    typealias H = ForwardProxyHarness
    static let body = Array(#"{"amount": 4200, "currency": "eur", "note": "héllo"}"#.utf8)

    @Test func anApprovedRequestReachesTheOriginWithExactlyTheHeldBody() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "approve")]) { h in
            let response = Task {
                try await h.send("http://\(h.origin)/v1/charges?idempotency=abc", method: "POST",
                                 headers: ["Content-Type": "application/json", "X-Api-Key": "agent-own-token",
                                           "Authorization": "Bearer \(H.placeholder)"], body: Self.body)
            }
            let approval = try await Self.pendingApproval(h)
            #expect(h.seen.value.isEmpty, "nothing leaves before a person decides")
            #expect(approval.kind == "http_request")
            #expect(approval.summary.contains("POST 127.0.0.1:\(h.upstreamPort)/v1/charges"))
            let shown = approval.request
            #expect(shown.method == "POST")
            #expect(shown.path == "/v1/charges", "the query is not shown")
            #expect(shown.headers["X-Api-Key"] == HeldRequest.masked)
            #expect(shown.headers["Authorization"] == HeldRequest.masked)
            #expect(shown.headers["Content-Type"] == "application/json")
            #expect(shown.body_preview == String(decoding: Self.body, as: UTF8.self))
            #expect(!approval.requestJSON.contains(H.secret) && !approval.requestJSON.contains(H.placeholder))

            let requested = try await h.vault.core.read { db in
                try EventRepository(db).after(session: h.sessionID, sessionSeq: 0).filter { $0.type == "approval.requested" }
            }
            #expect(requested.count == 1 && requested[0].data.contains(approval.id))

            _ = try await h.vault.core.write { try $0.decideApproval(approval.id, approve: true, reason: nil, by: "key_admin") }
            let (head, _) = try await bounded { try await response.value }
            #expect(head.status == .ok)
            let seen = h.seen.value
            #expect(seen.count == 1)
            #expect(seen.first?.body == Self.body)
            #expect(seen.first?.path == "/v1/charges")
            #expect(seen.first?.query == "idempotency=abc")
            #expect(seen.first?.headers["Authorization"] == "Bearer \(H.secret)")
            let audit = try await h.proxyAudit()
            #expect(audit.last?["approval_id"] == .string(approval.id))
            #expect(audit.last?["status"] == .integer(200))
        }
    }

    @Test func aDeniedRequestGets403WithTheReasonAndNeverReachesTheOrigin() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "approve")]) { h in
            let response = Task { try await h.send("http://\(h.origin)/wire", method: "POST", body: Self.body) }
            let approval = try await Self.pendingApproval(h)
            _ = try await h.vault.core.write {
                try $0.decideApproval(approval.id, approve: false, reason: "not this one", by: "key_admin")
            }
            let (head, body) = try await bounded { try await response.value }
            #expect(head.status == .forbidden)
            #expect(H.error(body)["code"] == .string("approval_denied"))
            #expect(body.contains(approval.id) && body.contains("not this one"))
            #expect(h.seen.value.isEmpty)
            let audit = try await h.proxyAudit()
            #expect(audit.last?["approval_id"] == .string(approval.id))
            #expect(audit.last?["status"] == .integer(403))
        }
    }

    @Test func anUndecidedRequestExpiresWith403AndNeverReachesTheOrigin() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "approve")], approvalTimeout: .milliseconds(300)) { h in
            let (head, body) = try await bounded { try await h.send("http://\(h.origin)/wire", method: "POST", body: Self.body) }
            #expect(head.status == .forbidden)
            #expect(H.error(body)["code"] == .string("approval_expired"))
            #expect(h.seen.value.isEmpty)
            let approvals = try await h.vault.core.listApprovals(status: nil, session: h.sessionID, page: PageRequest(limit: 10))
            #expect(approvals.items.map(\.status) == ["expired"])
        }
    }

    @Test func aDecisionAfterExpiryIsAConflictAndChangesNothing() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "approve")], approvalTimeout: .milliseconds(200)) { h in
            _ = try await bounded { try await h.send("http://\(h.origin)/wire", method: "POST", body: Self.body) }
            let approval = try #require(try await h.vault.core.listApprovals(status: nil, session: h.sessionID,
                                                                            page: PageRequest(limit: 10)).items.first)
            await #expect(throws: CoreError.self) {
                _ = try await h.vault.core.write { try $0.decideApproval(approval.id, approve: true, reason: nil, by: "key_admin") }
            }
            #expect(h.seen.value.isEmpty)
        }
    }

    /// An agent that gives up on a held request (its connection closes) leaves nothing to act
    /// for: the approval is cancelled, and approving it afterwards is a conflict that sends nothing.
    @Test func aHeldRequestWhoseAgentLeftIsCancelledAndNeverSent() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "approve")]) { h in
            let agent = try UnixClient(path: h.socketPath)
            try await agent.send("POST http://\(h.origin)/wire HTTP/1.1\r\nHost: \(h.origin)\r\n"
                                 + "Content-Length: \(Self.body.count)\r\n\r\n" + String(decoding: Self.body, as: UTF8.self))
            let approval = try await Self.pendingApproval(h)
            agent.close()
            try await eventually("the approval is cancelled") {
                try await h.vault.core.approval(approval.id)?.status == "cancelled"
            }
            let audit = try await h.vault.audit(kind: "approval.cancelled", session: h.sessionID)
            #expect(audit.map(\.subjectID) == [approval.id])
            #expect(audit.first?.detail.contains("closed its connection") == true)
            await #expect(throws: CoreError.self) {
                _ = try await h.vault.core.write { try $0.decideApproval(approval.id, approve: true, reason: nil, by: "key_admin") }
            }
            let resolved = try await h.vault.core.read { db in
                try EventRepository(db).after(session: h.sessionID, sessionSeq: 0).filter { $0.type == "approval.resolved" }
            }
            #expect(resolved.count == 1 && resolved[0].data.contains("\"cancelled\""))
            try await eventually("the proxy audits the dropped request") {
                try await h.proxyAudit().last?["approval_id"] == .string(approval.id)
            }
            #expect(h.seen.value.isEmpty, "nothing reaches the origin")
        }
    }

    static func pendingApproval(_ h: H) async throws -> Approval {
        try await eventually("a pending approval is recorded") {
            try await !h.vault.core.listApprovals(status: "pending", session: h.sessionID, page: PageRequest(limit: 10)).items.isEmpty
        }
        return try #require(try await h.vault.core.listApprovals(status: "pending", session: h.sessionID,
                                                                 page: PageRequest(limit: 10)).items.first)
    }
}

@Suite("Held requests: what an approver is shown")
struct HeldRequestTests {
    @Test func credentialShapedHeadersAreMaskedWhateverTheirValue() {
        let held = HeldRequest(method: "POST", host: "api.example.com", path: "/x",
                               headers: ["Authorization": "Basic abc", "Cookie": "a=b", "X-Auth-Token": "t",
                                         "X-Session-Id": "s", "Accept": "*/*", "Proxy-Authorization": "p",
                                         "Connection": "close"], body: [])
        let shown = held.shownHeaders
        for name in ["Authorization", "Cookie", "X-Auth-Token", "X-Session-Id"] { #expect(shown[name] == HeldRequest.masked) }
        #expect(shown["Accept"] == "*/*")
        #expect(shown["Proxy-Authorization"] == nil && shown["Connection"] == nil, "hop-by-hop headers are not shown")
    }

    @Test func theBodyPreviewIsCutAtACharacterBoundary() {
        // "é" is two bytes; put one across the limit.
        let body = Array(String(repeating: "a", count: HeldRequest.bodyPreviewLimit - 1).utf8) + Array("éz".utf8)
        let preview = HeldRequest(method: "POST", host: "h", path: "/", headers: [:], body: body).bodyPreview
        #expect(preview.hasPrefix(String(repeating: "a", count: HeldRequest.bodyPreviewLimit - 1) + "…"))
        #expect(preview.hasSuffix("(3 more bytes)"))
    }

    @Test func aBinaryBodyIsDescribedBySize() {
        let preview = HeldRequest(method: "PUT", host: "h", path: "/", headers: [:], body: [0xff, 0xfe, 0x00]).bodyPreview
        #expect(preview == "(3 bytes of binary data)")
    }
}
