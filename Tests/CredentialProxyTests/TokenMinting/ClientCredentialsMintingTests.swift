import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Testing

/// Teams' Bot Framework: the client secret is exchanged (OAuth client credentials) for a token
/// that replies carry; minted once, kept until shortly before it expires, never stored.
@Suite("Minting client-credentials tokens")
struct ClientCredentialsMintingTests {
    typealias H = TokenMintingHarness

    @Test func oneMintServesSeveralCallsAndConcurrentCallersShareIt() async throws {
        try await H.with { h in
            let id = try await h.clientCredentials()
            h.tokenDelay.set(.milliseconds(200)) // so the concurrent callers overlap the mint
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<5 { group.addTask { try await h.reply(id).status } }
                for try await status in group { #expect(status == .ok) }
            }
            for _ in 0..<3 { #expect(try await h.reply(id).status == .ok) }
            #expect(h.tokenRequests.value.count == 1)
            let mint = try #require(h.tokenRequests.value.first)
            #expect(mint.method == "POST" && mint.path == "/oauth2/v2.0/token")
            #expect(mint.headers["Content-Type"] == "application/x-www-form-urlencoded")
            #expect(formFields(mint.bodyString) == ["grant_type": "client_credentials", "client_id": "app-id",
                                                    "client_secret": H.clientSecret,
                                                    "scope": "https://api.botframework.com/.default"])
            #expect(h.apiRequests.value.count == 8)
            #expect(h.apiRequests.value.allSatisfy { $0.headers["Authorization"] == "Bearer token-1" })
        }
    }

    @Test func theTokenAndTheSecretAreScrubbedAndNeverStored() async throws {
        try await H.with { h in
            let id = try await h.clientCredentials()
            let reply = try await h.reply(id)
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(text == #"{"you_sent":"Bearer [REDACTED]"}"#)
            let stored = try await h.everythingStored()
            #expect(stored.contains("proxy.request"), "the mint and the reply are audited")
            #expect(stored.contains("/oauth2/v2.0/token") && stored.contains("teams-bot"))
            #expect(!stored.contains("token-1"))
            #expect(!stored.contains(H.clientSecret))
        }
    }

    @Test func anExpiringTokenIsMintedAgainAMinuteEarly() async throws {
        try await H.with { h in
            let id = try await h.clientCredentials()
            _ = try await h.reply(id)
            h.advance(seconds: 3600 - 61)
            _ = try await h.reply(id)
            #expect(h.tokenRequests.value.count == 1, "still a minute and more to go")
            h.advance(seconds: 2)
            _ = try await h.reply(id)
            #expect(h.tokenRequests.value.count == 2)
            #expect(h.apiRequests.value.map { $0.headers["Authorization"] } == ["Bearer token-1", "Bearer token-1", "Bearer token-2"])
        }
    }

    @Test func a401MintsOnceMoreAndRetriesOnce() async throws {
        try await H.with { h in
            let id = try await h.clientCredentials()
            _ = try await h.reply(id)
            h.revoked.set(["token-1"])
            #expect(try await h.reply(id).status == .ok)
            #expect(h.apiRequests.value.map { $0.headers["Authorization"] } == ["Bearer token-1", "Bearer token-1", "Bearer token-2"])
            // A fresh token refused too: the 401 is the answer, no loop.
            h.revoked.set(["token-2", "token-3"])
            #expect(try await h.reply(id).status == .unauthorized)
            #expect(h.tokenRequests.value.count == 3)
            #expect(h.apiRequests.value.count == 5)
        }
    }

    @Test func aFailingTokenEndpointIsRetryableAndNothingReachesTheAPI() async throws {
        try await H.with { h in
            let id = try await h.clientCredentials()
            h.tokenFailure.set(.serviceUnavailable)
            do {
                _ = try await h.reply(id)
                Issue.record("the call went through without a token")
            } catch let error as OutboundCallError {
                guard case .tokenUnavailable(let name, let reason) = error else { Issue.record("\(error)"); return }
                #expect(name == "teams-bot" && reason.contains("503") && reason.contains("temporarily_unavailable"))
                #expect(error.retryable)
            }
            #expect(h.apiRequests.value.isEmpty)
            // The endpoint recovers: the next call mints and goes through.
            h.tokenFailure.set(nil)
            #expect(try await h.reply(id).status == .ok)
        }
    }

    /// A refused client secret will be refused again: the error says so and is not retried,
    /// and nothing reaches the API. Once the endpoint accepts it, calls go through again.
    @Test(arguments: [HTTPStatus.badRequest, .unauthorized, .forbidden])
    func aTokenEndpointRefusingTheCredentialIsNotRetryable(status: HTTPStatus) async throws {
        try await H.with { h in
            let id = try await h.clientCredentials()
            h.tokenFailure.set(status)
            do {
                _ = try await h.reply(id)
                Issue.record("the call went through without a token")
            } catch let error as OutboundCallError {
                guard case .tokenRefused(let name, let reason) = error else { Issue.record("\(error)"); return }
                #expect(name == "teams-bot" && reason.contains("\(status.code)") && reason.contains("invalid_client"))
                #expect(!error.retryable)
                #expect(error.description.contains("PUT /v1/credentials"))
            }
            #expect(h.apiRequests.value.isEmpty)
            h.tokenFailure.set(nil)
            #expect(try await h.reply(id).status == .ok)
        }
    }

    @Test func aPrivateTokenEndpointNeedsACredentialNamingItsHost() async throws {
        try await H.with { h in
            // login.test resolves to 127.0.0.1, and this credential names only the API's host.
            let id = try await h.vault.store.put(
                CredentialSpec(name: "teams-bot", hosts: ["api.test"],
                               inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                               exchange: .oauthClientCredentials(tokenURL: h.tokenURL, clientID: "app-id", scope: nil)),
                secret: Secret(H.clientSecret), actor: nil).id
            await #expect(throws: OutboundCallError.self) { _ = try await h.reply(id) }
            #expect(h.tokenRequests.value.isEmpty && h.apiRequests.value.isEmpty)
            let audit = try await h.vault.audit(kind: "proxy.request")
            #expect(audit.contains { $0.detail.contains("token_endpoint_failed") })
        }
    }

    @Test func theTokenEndpointsCertificateIsVerified() async throws {
        try await H.with { h in
            let verified = try await h.store(.oauthClientCredentials(tokenURL: h.secureTokenURL, clientID: "app-id", scope: nil),
                                             secret: H.clientSecret)
            #expect(try await h.reply(verified).status == .ok)
            #expect(h.tokenRequests.value.count == 1)
            // Same server, a name its certificate does not carry: refused before any byte of the form.
            let impostor = try await h.vault.store.put(
                CredentialSpec(name: "impostor", hosts: ["api.test", "impostor.test"],
                               inject: CredentialInjection(header: "Authorization", template: "Bearer {secret}"),
                               exchange: .oauthClientCredentials(tokenURL: "https://impostor.test:\(h.secureTokenPort)/token",
                                                                 clientID: "app-id", scope: nil)),
                secret: Secret(H.clientSecret), actor: nil).id
            await #expect(throws: OutboundCallError.self) { _ = try await h.reply(impostor) }
            #expect(h.tokenRequests.value.count == 1)
        }
    }

    @Test func aReplacedSecretIsNotServedTheOldToken() async throws {
        try await H.with { h in
            let id = try await h.clientCredentials()
            _ = try await h.reply(id)
            let replaced = try await h.store(.oauthClientCredentials(tokenURL: h.tokenURL, clientID: "app-id", scope: nil),
                                             secret: "rotated-secret")
            #expect(replaced == id)
            _ = try await h.reply(id)
            #expect(h.tokenRequests.value.count == 2)
            #expect(formFields(h.tokenRequests.value[1].bodyString)["client_secret"] == "rotated-secret")
            #expect(formFields(h.tokenRequests.value[1].bodyString)["scope"] == nil)
        }
    }

    @Test func theForwardProxyNeverInjectsAnExchangedCredential() async throws {
        try await H.with { h in
            _ = try await h.clientCredentials()
            #expect(try await h.vault.store.credentials(forHost: "api.test").isEmpty)
        }
    }
}
