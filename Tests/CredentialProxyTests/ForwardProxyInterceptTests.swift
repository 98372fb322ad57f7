import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Store
import Testing
import TestSupport

/// CONNECT interception end to end with real TLS both ways: curl (the agent) trusts only the
/// proxy CA; warden terminates its TLS with a leaf for the CONNECT host, decides each request,
/// injects the credential and relays over a verified TLS connection to an HTTPS origin whose
/// certificate comes from another CA (the `--upstream-ca` case).
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
struct ForwardProxyInterceptTests {
    typealias H = ForwardProxyHarness
    static let allowLoopback = RuleSpec(host: "127.0.0.1", action: "allow")

    @Test func anInterceptedRequestReachesTheHTTPSOriginWithTheRealSecretAndItsEchoIsScrubbed() async throws {
        try await H.with(rules: [Self.allowLoopback]) { h in
            let (code, output, error) = try await h.curl(["-H", "Authorization: Bearer \(H.placeholder)",
                                                          "https://\(h.secureOrigin)/echo?token=abc"])
            #expect(code == 0, "curl: \(error)")
            let seen = try #require(h.seen.value.last)
            #expect(seen.headers["Authorization"] == "Bearer \(H.secret)")
            #expect(seen.path == "/echo" && seen.query == "token=abc")
            #expect(output.contains("Authorization: Bearer [REDACTED]"), "the origin's echo: \(output)")
            #expect(!output.contains(H.secret))

            let audit = try #require(try await h.proxyAudit().last)
            #expect(audit["host"] == .string(h.secureOrigin))
            #expect(audit["path"] == .string("/echo"))
            #expect(audit["status"] == .integer(200))
            #expect(audit["credential"] == .string("fwd-api"))
            let metrics = PrometheusText.render(h.vault.store.metrics.families)
            #expect(metrics.contains(#"warden_proxy_requests_total{route="intercepted",status="200",outcome="relayed"} 1"#))
        }
    }

    @Test func eachRequestInsideIsDecidedOnItsOwnPath() async throws {
        let rules = [RuleSpec(host: "127.0.0.1", pathPrefix: "/a/", action: "allow"),
                     RuleSpec(host: "127.0.0.1", pathPrefix: "/a/b", action: "deny")]
        try await H.with(rules: rules, credential: false) { h in
            let (allowed, body, error) = try await h.curl(["https://\(h.secureOrigin)/a/ok"])
            #expect(allowed == 0, "curl: \(error)")
            #expect(body.contains("Host: 127.0.0.1"))
            for sneaky in ["/a/%2e%2e/b", "/a//b", "/a/./b", "/x"] {
                let (_, refused, _) = try await h.curl(["--path-as-is", "https://\(h.secureOrigin)\(sneaky)"])
                #expect(H.error(refused)["code"] == .string("egress_denied"), "\(sneaky): \(refused)")
            }
            #expect(h.seen.value.map(\.path) == ["/a/ok"])
        }
    }

    @Test func aPOSTInsideIsHeldUntilApprovedAndTheOriginGetsTheSameBody() async throws {
        try await H.with(rules: [RuleSpec(host: "127.0.0.1", action: "approve")], credential: false) { h in
            let body = #"{"transfer": 100, "note": "über"}"#
            let curl = Task { try await h.curl(["--data-binary", body, "https://\(h.secureOrigin)/pay"]) }
            let approval = try await ForwardProxyApprovalTests.pendingApproval(h)
            #expect(approval.request.host == h.secureOrigin && approval.request.path == "/pay")
            #expect(h.seen.value.isEmpty)
            _ = try await h.vault.core.write { try $0.decideApproval(approval.id, approve: true, reason: nil, by: "key_admin") }
            let (code, _, error) = try await bounded { try await curl.value }
            #expect(code == 0, "curl: \(error)")
            #expect(h.seen.value.map(\.bodyString) == [body])
        }
    }

    @Test func aHostHeaderThatDisagreesWithTheConnectIs421() async throws {
        try await H.with(rules: [Self.allowLoopback]) { h in
            let (_, output, _) = try await h.curl(["-H", "Host: elsewhere.test", "https://\(h.secureOrigin)/x"])
            #expect(H.error(output)["code"] == .string("host_mismatch"), "\(output)")
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func anOriginWhoseCertificateDoesNotNameTheHostIs502() async throws {
        // The origin's certificate names 127.0.0.1 only; reached as localhost it must not verify.
        try await H.with(rules: [RuleSpec(host: "localhost", pathPrefix: "/", action: "allow")], credential: false) { h in
            let (_, output, _) = try await h.curl(["https://localhost:\(h.secureUpstreamPort)/x"])
            #expect(H.error(output)["code"] == .string("upstream_unreachable"), "\(output)")
            if case .string(let message) = H.error(output)["message"] { #expect(message.contains("certificate")) }
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func aTLSServerNameThatDisagreesWithTheConnectIs421() throws {
        let host = try EgressHost(parsing: "api.example.com")
        var request = Request(method: "GET", target: .origin(path: "/", query: nil), headers: ["Host": "api.example.com"])
        request.tlsServerName = "other.example.com"
        #expect(throws: ForwardProxyError.serverNameMismatch(connect: "api.example.com", serverName: "other.example.com")) {
            _ = try ForwardTarget(intercepted: request, host: host, port: 443)
        }
        request.tlsServerName = "API.example.com"
        let target = try ForwardTarget(intercepted: request, host: host, port: 443)
        #expect(target.secure && target.auditHost == "api.example.com")
        request.headers = ["Host": "api.example.com:8443"]
        #expect(throws: ForwardProxyError.self) { _ = try ForwardTarget(intercepted: request, host: host, port: 443) }
        request.target = .absolute(scheme: "https", authority: "api.example.com", path: "/", query: nil)
        #expect(throws: ForwardProxyError.notOriginForm("GET")) {
            _ = try ForwardTarget(intercepted: request, host: host, port: 443)
        }
    }
}
