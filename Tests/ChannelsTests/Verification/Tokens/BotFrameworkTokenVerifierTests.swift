@testable import Channels
import Core
import ChannelTestSupport
import Foundation
import HTTP
import Testing

/// Teams activities with tokens signed by a test RSA key whose JWKS a local server publishes
/// behind OpenID metadata, as login.botframework.com does.
@Suite struct BotFrameworkTokenVerifierTests {
    static let appID = "9b7c5e0d-1f2a-4c3b-8d4e-5f6a7b8c9d0e"
    static let serviceURL = "https://smba.trafficmanager.net/amer/"
    static let now = Date(unix: 1_700_000_000)
    static var keys: [[String: Any]] { [TestRSAKey.first.jwk(kid: "bf-1", endorsements: ["msteams", "webchat"])] }

    static func claims(_ change: (inout [String: Any]) -> Void = { _ in }) -> [String: Any] {
        var claims: [String: Any] = [
            "iss": "https://api.botframework.com", "aud": appID, "serviceurl": serviceURL,
            "nbf": now.timeIntervalSince1970 - 5, "exp": now.timeIntervalSince1970 + 3600,
        ]
        change(&claims)
        return claims
    }

    static func activity(serviceUrl: String = serviceURL, channelId: String? = "msteams") -> [UInt8] {
        var activity: [String: Any] = ["type": "message", "id": "1", "text": "hi", "serviceUrl": serviceUrl]
        if let channelId { activity["channelId"] = channelId }
        return TestJWT.json(activity)
    }

    static func delivery(token: String, body: [UInt8] = activity()) -> InboundDelivery {
        InboundDelivery(headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: body)
    }

    static func signed(_ claims: [String: Any] = claims(), kid: String = "bf-1", key: TestRSAKey = .first) -> InboundDelivery {
        delivery(token: TestJWT.rs256(claims, kid: kid, key: key))
    }

    /// Runs `body` with a verifier whose keys come from a real local server.
    func withVerifier(_ body: (BotFrameworkTokenVerifier, KeySetServer) async throws -> Void) async throws {
        try await KeySetServer.with(Self.keys) { server in
            let fetcher = try HTTPKeySetFetcher(client: server.client, source: .openIDConfiguration(url: server.openIDURL))
            try await body(BotFrameworkTokenVerifier(appID: Self.appID, keys: JWKSCache(fetcher: fetcher)), server)
        }
    }

    @Test func aTokenFromTheChannelVerifies() async throws {
        try await withVerifier { verifier, server in
            await expectAccepted(verifier, Self.signed(), now: Self.now)
            // Some issuers spell the claim serviceUrl; an audience array that holds us is fine.
            await expectAccepted(verifier, Self.signed(Self.claims {
                $0["serviceurl"] = nil; $0["serviceUrl"] = Self.serviceURL; $0["aud"] = ["other", Self.appID]
            }), now: Self.now)
            #expect(server.requests.value == ["/openid", "/jwks"])
        }
    }

    @Test func lifetimeIsCheckedWithFiveMinutesOfSkew() async throws {
        try await withVerifier { verifier, _ in
            let t = Self.now.timeIntervalSince1970
            await expectAccepted(verifier, Self.signed(Self.claims { $0["exp"] = t - 299 }), now: Self.now)
            await expectRefused(verifier, Self.signed(Self.claims { $0["exp"] = t - 301 }), now: Self.now,
                                code: "timestamp_stale", status: 401)
            await expectAccepted(verifier, Self.signed(Self.claims { $0["nbf"] = t + 299 }), now: Self.now)
            await expectRefused(verifier, Self.signed(Self.claims { $0["nbf"] = t + 301 }), now: Self.now,
                                code: "timestamp_stale", status: 401)
            await expectRefused(verifier, Self.signed(Self.claims { $0["exp"] = nil }), now: Self.now,
                                code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.signed(Self.claims { $0["exp"] = "tomorrow" }), now: Self.now,
                                code: "claim_rejected", status: 401)
        }
    }

    @Test func anotherIssuerOrAudienceIsRefused() async throws {
        try await withVerifier { verifier, _ in
            await expectRefused(verifier, Self.signed(Self.claims { $0["iss"] = "https://sts.windows.net/tenant/" }),
                                now: Self.now, code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.signed(Self.claims { $0["iss"] = nil }), now: Self.now,
                                code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.signed(Self.claims { $0["aud"] = "another-bot" }), now: Self.now,
                                code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.signed(Self.claims { $0["aud"] = nil }), now: Self.now,
                                code: "claim_rejected", status: 401)
        }
    }

    @Test func unsignedAndSymmetricTokensAreRefused() async throws {
        try await withVerifier { verifier, server in
            let none = TestJWT.signingInput(header: ["alg": "none", "typ": "JWT", "kid": "bf-1"], claims: Self.claims()) + "."
            await expectRefused(verifier, Self.delivery(token: none), now: Self.now, code: "signature_invalid", status: 401)
            // HS256 keyed with the public modulus: the classic algorithm-confusion forgery.
            let input = TestJWT.signingInput(header: ["alg": "HS256", "typ": "JWT", "kid": "bf-1"], claims: Self.claims())
            let mac = HMACSHA256.authenticationCode(key: try WebhookSecret(Self.keys[0]["n"] as! String), message: Array(input.utf8))
            await expectRefused(verifier, Self.delivery(token: input + "." + Crypto.base64URL(mac)), now: Self.now,
                                code: "signature_invalid", status: 401)
            // Refused before any key was fetched.
            #expect(server.requests.value.isEmpty)
        }
    }

    @Test func aTamperedPayloadOrAForeignKeyIsRefused() async throws {
        try await withVerifier { verifier, _ in
            let genuine = TestJWT.rs256(Self.claims(), kid: "bf-1", key: .first)
            let parts = genuine.split(separator: ".")
            let forged = Crypto.base64URL(TestJWT.json(Self.claims { $0["aud"] = Self.appID; $0["serviceurl"] = "https://evil.example/" }))
            await expectRefused(verifier, Self.delivery(token: "\(parts[0]).\(forged).\(parts[2])"), now: Self.now,
                                code: "signature_invalid", status: 401)
            await expectRefused(verifier, Self.signed(key: .second), now: Self.now, code: "signature_invalid", status: 401)
            await expectRefused(verifier, Self.signed(kid: "not-published"), now: Self.now, code: "key_unknown", status: 401)
        }
    }

    @Test func theServiceURLClaimMustMatchTheActivity() async throws {
        try await withVerifier { verifier, _ in
            let token = TestJWT.rs256(Self.claims(), kid: "bf-1", key: .first)
            await expectRefused(verifier, Self.delivery(token: token, body: Self.activity(serviceUrl: "https://evil.example/")),
                                now: Self.now, code: "claim_rejected", status: 401)
            await expectRefused(verifier, Self.signed(Self.claims { $0["serviceurl"] = nil }), now: Self.now,
                                code: "claim_rejected", status: 401)
        }
    }

    @Test func theSigningKeyMustBeEndorsedForTheActivitysChannel() async throws {
        try await withVerifier { verifier, _ in
            let token = TestJWT.rs256(Self.claims(), kid: "bf-1", key: .first)
            await expectAccepted(verifier, Self.delivery(token: token, body: Self.activity(channelId: "webchat")), now: Self.now)
            await expectAccepted(verifier, Self.delivery(token: token, body: Self.activity(channelId: nil)), now: Self.now)
            await expectRefused(verifier, Self.delivery(token: token, body: Self.activity(channelId: "slack")), now: Self.now,
                                code: "claim_rejected", status: 401)
        }
    }

    @Test func missingAndMalformedHeadersAndBodies() async throws {
        try await withVerifier { verifier, _ in
            await expectRefused(verifier, InboundDelivery(body: Self.activity()), now: Self.now, code: "header_missing", status: 401)
            for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "Bearer a.b", "Bearer a.b.c.d", "Bearer !!.??.**"] {
                let delivery = InboundDelivery(headers: ["Authorization": header], body: Self.activity())
                await expectRefused(verifier, delivery, now: Self.now, code: "header_malformed", status: 400)
            }
            let token = TestJWT.rs256(Self.claims(), kid: "bf-1", key: .first)
            for body in ["not json", "{}", #"{"serviceUrl":42}"#] {
                await expectRefused(verifier, Self.delivery(token: token, body: Array(body.utf8)), now: Self.now,
                                    code: "payload_malformed", status: 400)
            }
        }
    }

    @Test func whenTheKeysCannotBeFetchedTheRequestIsRefused() async throws {
        try await withVerifier { verifier, server in
            server.publish(Self.keys, status: 500)
            await expectRefused(verifier, Self.signed(), now: Self.now, code: "keys_unavailable", status: 401)
        }
    }
}
