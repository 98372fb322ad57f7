@testable import Channels
import ChannelTestSupport
import Foundation
import HTTP
import Testing

@Suite struct GoogleChatTokenVerifierTests {
    static let projectNumber = "1234567890"
    static let endpoint = "https://warden.example.com/webhooks/google_chat/chn_1"
    static let now = Date(unix: 1_700_000_000)
    static let body = Array(#"{"type":"MESSAGE","message":{"text":"hi"}}"#.utf8)

    static func delivery(_ claims: [String: Any], key: TestRSAKey = .first) -> InboundDelivery {
        InboundDelivery(headers: ["Authorization": "Bearer \(TestJWT.rs256(claims, kid: "g-1", key: key))"], body: body)
    }

    static func chatClaims(_ change: (inout [String: Any]) -> Void = { _ in }) -> [String: Any] {
        var claims: [String: Any] = ["iss": "chat@system.gserviceaccount.com", "aud": projectNumber,
                                     "iat": now.timeIntervalSince1970 - 10, "exp": now.timeIntervalSince1970 + 3590]
        change(&claims)
        return claims
    }

    static func idTokenClaims(_ change: (inout [String: Any]) -> Void = { _ in }) -> [String: Any] {
        var claims: [String: Any] = ["iss": "https://accounts.google.com", "aud": endpoint,
                                     "email": "chat@system.gserviceaccount.com", "email_verified": true,
                                     "iat": now.timeIntervalSince1970 - 10, "exp": now.timeIntervalSince1970 + 3590]
        change(&claims)
        return claims
    }

    func withVerifier(_ audience: GoogleChatTokenVerifier.Audience,
                      _ body: (GoogleChatTokenVerifier) async throws -> Void) async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "g-1")]) { server in
            let fetcher = try HTTPKeySetFetcher(client: server.client, source: .keySet(url: server.keySetURL))
            try await body(GoogleChatTokenVerifier(audience: audience, keys: JWKSCache(fetcher: fetcher)))
        }
    }

    @Test func aProjectNumberTokenFromChatVerifies() async throws {
        try await withVerifier(.projectNumber(Self.projectNumber)) { verifier in
            await expectAccepted(verifier, Self.delivery(Self.chatClaims()), now: Self.now)
        }
    }

    @Test func projectNumberTokensAreCheckedForIssuerAudienceLifetimeAndKey() async throws {
        try await withVerifier(.projectNumber(Self.projectNumber)) { verifier in
            let t = Self.now.timeIntervalSince1970
            await expectRefused(verifier, Self.delivery(Self.chatClaims { $0["iss"] = "someone@example.iam.gserviceaccount.com" }),
                                now: Self.now, code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.delivery(Self.chatClaims { $0["aud"] = "999" }), now: Self.now,
                                code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.delivery(Self.chatClaims { $0["exp"] = t - 600 }), now: Self.now,
                                code: "timestamp_stale", status: 401)
            await expectRefused(verifier, Self.delivery(Self.chatClaims(), key: .second), now: Self.now,
                                code: "signature_invalid", status: 401)
            await expectRefused(verifier, InboundDelivery(body: Self.body), now: Self.now, code: "header_missing", status: 401)
        }
    }

    @Test func anEndpointURLIDTokenMustComeFromChatsServiceAccount() async throws {
        try await withVerifier(.endpointURL(Self.endpoint)) { verifier in
            await expectAccepted(verifier, Self.delivery(Self.idTokenClaims()), now: Self.now)
            await expectAccepted(verifier, Self.delivery(Self.idTokenClaims { $0["iss"] = "accounts.google.com" }), now: Self.now)
            await expectRefused(verifier, Self.delivery(Self.idTokenClaims { $0["email"] = "mallory@gmail.com" }),
                                now: Self.now, code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.delivery(Self.idTokenClaims { $0["email_verified"] = false }),
                                now: Self.now, code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.delivery(Self.idTokenClaims { $0["aud"] = "https://elsewhere.example/" }),
                                now: Self.now, code: "claim_rejected", status: 401)
            // A project-number token is not accepted where an ID token is expected.
            await expectRefused(verifier, Self.delivery(Self.chatClaims { $0["aud"] = Self.endpoint }),
                                now: Self.now, code: "claim_rejected", status: 401)
        }
    }

    @Test func eachAudienceNamesItsKeySet() {
        #expect(GoogleChatTokenVerifier.keySetURL(for: .projectNumber("1"))
                == "https://www.googleapis.com/service_accounts/v1/jwk/chat@system.gserviceaccount.com")
        #expect(GoogleChatTokenVerifier.keySetURL(for: .endpointURL("https://x")) == "https://www.googleapis.com/oauth2/v3/certs")
    }
}
