import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Testing

/// Warden's own calls (chat replies, approval cards) get their token the way agents' requests
/// do — injected on the way out, only toward the credential's hosts — over verified TLS.
@Suite("Outbound calls with a credential")
struct OutboundClientTests {
    typealias H = ForwardProxyHarness

    static func outbound(_ h: H) -> OutboundClient {
        OutboundClient(store: h.vault.store, client: h.client, resolver: EgressResolver(lookup: StubLookup(answers: H.stubAnswers)),
                       logger: quietLogger)
    }

    static func credentialID(_ h: H) async throws -> String {
        try #require(try await h.vault.store.find(name: "fwd-api")).id
    }

    @Test func theTokenIsInjectedOverTLSAndScrubbedFromTheReply() async throws {
        try await H.with { h in
            let reply = try await Self.outbound(h).send(OutboundCall(
                method: "POST", url: "https://\(h.secureOrigin)/api/chat.postMessage?x=1",
                headers: ["Authorization": "Bearer \(H.placeholder)", "Content-Type": "application/json"],
                body: Array(#"{"text":"hi"}"#.utf8), credentialID: try await Self.credentialID(h), session: h.sessionID))
            #expect(reply.status == .ok)
            let seen = try #require(h.seen.value.last)
            #expect(seen.headers["Authorization"] == "Bearer \(H.secret)")
            #expect(seen.bodyString == #"{"text":"hi"}"#)
            #expect(seen.path == "/api/chat.postMessage" && seen.query == "x=1")
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(text.contains("Authorization: Bearer [REDACTED]") && !text.contains(H.secret))
            #expect(reply.headers["X-Echo-Auth"] == "Bearer [REDACTED]")
            let audit = try #require(try await h.proxyAudit().last)
            #expect(audit["path"] == .string("/api/chat.postMessage"))
            #expect(audit["credential"] == .string("fwd-api"))
            #expect(audit["status"] == .integer(200))
        }
    }

    @Test func aTokenInThePathIsReplacedThereAndNeverAudited() async throws {
        try await H.with { h in
            let reply = try await Self.outbound(h).send(OutboundCall(
                method: "POST", url: "https://\(h.secureOrigin)/bot\(H.placeholder)/sendMessage",
                credentialID: try await Self.credentialID(h), placeholderInPath: true))
            #expect(reply.status == .ok)
            #expect(h.seen.value.last?.path == "/bot\(H.secret)/sendMessage")
            let everything = try await h.vault.core.read { db in
                try db.query("SELECT detail FROM audit").map { try $0.get("detail", as: String.self) }
            }.joined()
            #expect(!everything.contains(H.secret))
        }
    }

    @Test func aCredentialIsNeverSentToAHostItIsNotFor() async throws {
        try await H.with { h in
            await #expect(throws: OutboundCallError.credentialNotForHost(credential: "fwd-api", host: "localhost")) {
                _ = try await Self.outbound(h).send(OutboundCall(
                    method: "POST", url: "http://localhost:\(h.upstreamPort)/x",
                    headers: ["Authorization": "Bearer \(H.placeholder)"], credentialID: try await Self.credentialID(h)))
            }
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func privateAddressesNeedACredentialNamingTheHost() async throws {
        try await H.with(credential: false) { h in
            await #expect(throws: OutboundCallError.self) {
                _ = try await Self.outbound(h).send(OutboundCall(method: "GET", url: "http://\(h.origin)/x", credentialID: nil))
            }
            await #expect(throws: OutboundCallError.invalidURL("only http:// and https:// URLs are called")) {
                _ = try await Self.outbound(h).send(OutboundCall(method: "GET", url: "ftp://example.com/x", credentialID: nil))
            }
            #expect(h.seen.value.isEmpty)
        }
    }
}
