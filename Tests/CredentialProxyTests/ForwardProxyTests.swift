import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Testing

@Suite("Plain-HTTP forward proxy over a session's proxy socket")
struct ForwardProxyTests {
    typealias H = ForwardProxyHarness
    static let allowLoopback = RuleSpec(host: "127.0.0.1", action: "allow")

    @Test func anAllowedRequestReachesTheOriginWithTheRealSecretInPlaceOfThePlaceholder() async throws {
        try await H.with(rules: [Self.allowLoopback]) { h in
            let (head, body) = try await h.send("http://\(h.origin)/echo/./x?q=1", headers: [
                "Authorization": "Bearer \(H.placeholder)", "X-Other": "token=\(H.placeholder)",
                "Proxy-Authorization": "Basic c2VjcmV0", "Proxy-Connection": "keep-alive",
                "Keep-Alive": "timeout=5", "TE": "trailers",
            ])
            #expect(head.status == .ok)
            let seen = try #require(h.seen.value.first)
            #expect(seen.path == "/echo/x", "the normalised path is what goes upstream")
            #expect(seen.query == "q=1")
            #expect(seen.headers.values("Authorization") == ["Bearer \(H.secret)"])
            #expect(seen.headers["X-Other"] == "token=\(H.secret)", "the placeholder is replaced on the credential's host")
            #expect(seen.headers["Host"] == h.origin)
            for name in ["Proxy-Authorization", "Proxy-Connection", "Keep-Alive", "TE"] {
                #expect(seen.headers[name] == nil, "\(name) is hop-by-hop or a proxy header")
            }
            // The origin quoted the secret back, raw and base64: the agent sees neither.
            #expect(!body.contains(H.secret))
            #expect(!body.contains(Data(H.secret.utf8).base64EncodedString()))
            #expect(body.contains("Authorization: Bearer [REDACTED]"))
            #expect(body.contains("b64=[REDACTED]"))
            #expect(head.headers["X-Echo-Auth"] == "Bearer [REDACTED]")
        }
    }

    @Test func withoutARuleTheRequestIsDeniedWithAReasonAndTheOriginIsNeverHit() async throws {
        try await H.with { h in
            let (head, body) = try await h.send("http://\(h.origin)/data?secret=1")
            #expect(head.status == .forbidden)
            let error = H.error(body)
            #expect(error["type"] == .string("permission"))
            #expect(error["code"] == .string("egress_denied"))
            guard case .string(let message) = error["message"] else { Issue.record("no message"); return }
            #expect(message.contains("no egress rule allows GET 127.0.0.1/data"))
            #expect(!message.contains("secret=1"))
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test(arguments: ["169.254.169.254", "10.0.0.1", "[::ffff:127.0.0.1]"])
    func privateAddressesWithoutARuleNamingThemAreRefused(_ host: String) async throws {
        try await H.with(rules: [Self.allowLoopback]) { h in
            let (head, body) = try await h.send("http://\(host)/latest/meta-data")
            #expect(head.status == .forbidden)
            #expect(H.error(body)["type"] == .string("permission"))
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test(arguments: [("metadata.test", "link-local"), ("internal.test", "10.0.0.1"), ("mapped.test", "127.0.0.1")])
    func namesResolvingToPrivateAddressesAreRefusedUnderAWildcardRule(_ name: String, _ phrase: String) async throws {
        try await H.with(rules: [RuleSpec(host: "*.test", action: "allow")]) { h in
            let (head, body) = try await h.send("http://\(name):\(h.upstreamPort)/")
            #expect(head.status == .forbidden)
            let error = H.error(body)
            #expect(error["code"] == .string("egress_address_refused"))
            guard case .string(let message) = error["message"] else { Issue.record("no message"); return }
            #expect(message.contains(name) && message.contains(phrase), "\(message)")
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func anEncodedDotSegmentCannotClimbOutOfAnAllowedPrefix() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", pathPrefix: "/a/", action: "allow")]) { h in
            let (head, body) = try await h.send("http://\(h.origin)/a/%2e%2e/b")
            #expect(head.status == .forbidden)
            #expect(H.error(body)["code"] == .string("egress_denied"))
            let (encoded, _) = try await h.send("http://\(h.origin)/a/..%2Fb")
            #expect(encoded.status == .badRequest)
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func anEncodedDotSegmentCannotDodgeADenyRule() async throws {
        try await H.with(rules: [Self.allowLoopback, RuleSpec(host: "127.0.0.1", pathPrefix: "/b", action: "deny")]) { h in
            let (head, body) = try await h.send("http://\(h.origin)/a/%2e%2e/b")
            #expect(head.status == .forbidden)
            #expect(H.error(body)["code"] == .string("egress_denied"))
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func traceHTTPSAbsoluteFormAndHostMismatchAreRefused() async throws {
        try await H.with(rules: [Self.allowLoopback]) { h in
            let (trace, _) = try await h.send("http://\(h.origin)/", method: "TRACE")
            #expect(trace.status == .methodNotAllowed)
            let (originTrace, _) = try await h.send("/model/anthropic/v1/messages", method: "TRACE", host: "localhost")
            #expect(originTrace.status == .methodNotAllowed)
            let (https, _) = try await h.send("https://\(h.origin)/")
            #expect(https.status == .badRequest)
            let (mismatch, mismatchBody) = try await h.send("http://\(h.origin)/", host: "example.com")
            #expect(mismatch.status == .misdirected)
            #expect(H.error(mismatchBody)["code"] == .string("host_mismatch"))
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func aRulesRateLimitAnswers429WithRetryAfter() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "allow", rateLimitPerMinute: 2)]) { h in
            for _ in 0..<2 {
                let (head, _) = try await h.send("http://\(h.origin)/r")
                #expect(head.status == .ok)
            }
            let (limited, body) = try await h.send("http://\(h.origin)/r")
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers["Retry-After"] ?? "") ?? 0 >= 1)
            #expect(H.error(body)["code"] == .string("rate_limited"))
            #expect(h.seen.value.count == 2)
        }
    }

    @Test func everyRequestIsAuditedWithoutQueryOrSecret() async throws {
        try await H.with(rules: [Self.allowLoopback]) { h in
            let (head, body) = try await h.send("http://\(h.origin)/echo?token=abc123",
                                                headers: ["Authorization": "Bearer \(H.placeholder)"])
            #expect(head.status == .ok)
            let (denied, _) = try await h.send("http://example.com/x?token=abc123", host: "example.com")
            #expect(denied.status == .forbidden)

            let audit = try await h.proxyAudit()
            #expect(audit.count == 2)
            let relayed = try #require(audit.first)
            #expect(relayed["method"] == .string("GET"))
            #expect(relayed["host"] == .string(h.origin))
            #expect(relayed["path"] == .string("/echo"))
            #expect(relayed["status"] == .integer(200))
            #expect(relayed["credential"] == .string("fwd-api"))
            #expect(relayed["bytes"] == .integer(Int64(body.utf8.count)))
            guard case .string(let ruleID) = relayed["rule"] else { Issue.record("no rule id"); return }
            #expect(!ruleID.isEmpty)
            #expect(audit.last?["status"] == .integer(403))
            #expect(audit.last?["error"] == .string("egress_denied"))
            #expect(audit.last?["path"] == .string("/x"))

            let everything = try await h.vault.core.read { db in
                try db.query("SELECT detail FROM audit").map { try $0.get("detail", as: String.self) }
            }.joined()
            #expect(!everything.contains(H.secret))
            #expect(!everything.contains("abc123"))

            // Each audit row is counted in /metrics.
            let metrics = PrometheusText.render(h.vault.store.metrics.families)
            #expect(metrics.contains(#"warden_proxy_requests_total{route="forward",status="200",outcome="relayed"} 1"#))
            #expect(metrics.contains(#"warden_proxy_requests_total{route="forward",status="403",outcome="egress_denied"} 1"#))
            #expect(metrics.contains("warden_proxy_credentials_injected_total 1"))
            #expect(metrics.contains(#"warden_proxy_bytes_total{direction="to_agent"} \#(body.utf8.count)"#))
        }
    }
}
