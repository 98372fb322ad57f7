@testable import Channels
import ChannelTestSupport
import Foundation
import HTTP
import TestSupport
import Testing

/// The cache against a real key-set server on 127.0.0.1, fetched with the HTTP module's client.
@Suite struct JWKSCacheTests {
    static let start = Date(unix: 1_700_000_000)

    func cache(_ server: KeySetServer) throws -> JWKSCache {
        JWKSCache(fetcher: try HTTPKeySetFetcher(client: server.client, source: .keySet(url: server.keySetURL)))
    }

    func lookup(_ cache: JWKSCache, _ kid: String, at offset: TimeInterval) async -> Result<String, VerificationFailure> {
        do throws(VerificationFailure) {
            return .success(try await cache.key(id: kid, now: Self.start.addingTimeInterval(offset)).id)
        } catch {
            return .failure(error)
        }
    }

    /// The refusal of a lookup, or nil when it found the key.
    func refusal(_ cache: JWKSCache, _ kid: String, at offset: TimeInterval) async -> VerificationFailure? {
        guard case .failure(let failure) = await lookup(cache, kid, at: offset) else { return nil }
        return failure
    }

    @Test func keysAreFetchedOnceAndThenServedFromTheCache() async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "a")]) { server in
            let cache = try cache(server)
            #expect(await lookup(cache, "a", at: 0) == .success("a"))
            #expect(await lookup(cache, "a", at: 3600) == .success("a"))
            #expect(server.keySetFetches == 1)
        }
    }

    @Test func lookupsThatArriveTogetherShareOneFetch() async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "a")]) { server in
            let cache = try cache(server)
            let found = await withTaskGroup(of: Result<String, VerificationFailure>.self) { group in
                for _ in 0..<8 { group.addTask { await lookup(cache, "a", at: 0) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            // Every one of them gets the key, not only the one that started the fetch.
            #expect(found == Array(repeating: .success("a"), count: 8))
            #expect(server.keySetFetches == 1)
        }
    }

    @Test func keysLiveForTheDefaultDayWithoutMaxAge() async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "a")]) { server in
            let cache = try cache(server)
            _ = await lookup(cache, "a", at: 0)
            _ = await lookup(cache, "a", at: 86_399)
            #expect(server.keySetFetches == 1)
            _ = await lookup(cache, "a", at: 86_400)
            #expect(server.keySetFetches == 2)
        }
    }

    @Test func maxAgeSetsTheLifetimeButNeverBelowTheRefetchLimit() async throws {
        try await KeySetServer.with([]) { server in
            server.publish([TestRSAKey.first.jwk(kid: "a")], cacheControl: "public, max-age=120")
            let cache = try cache(server)
            _ = await lookup(cache, "a", at: 0)
            _ = await lookup(cache, "a", at: 119)
            #expect(server.keySetFetches == 1)
            server.publish([TestRSAKey.first.jwk(kid: "a")], cacheControl: "max-age=0")
            _ = await lookup(cache, "a", at: 120)
            #expect(server.keySetFetches == 2)
            _ = await lookup(cache, "a", at: 150)
            #expect(server.keySetFetches == 2)
            _ = await lookup(cache, "a", at: 180)
            #expect(server.keySetFetches == 3)
        }
    }

    @Test func anUnknownKidRefetchesOncePerMinuteAtMost() async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "a")]) { server in
            let cache = try cache(server)
            _ = await lookup(cache, "a", at: 0)
            // A forged kid a minute later: one refetch, then a refusal.
            let failure = try #require(await refusal(cache, "forged-1", at: 60))
            #expect(failure.code == "key_unknown" && failure.status.code == 401)
            #expect(server.keySetFetches == 2)
            // More forged kids within the minute do not reach the platform.
            for (index, offset) in [61.0, 90, 119].enumerated() {
                let again = try #require(await refusal(cache, "forged-\(index + 2)", at: offset))
                #expect(again.code == "key_unknown")
            }
            #expect(server.keySetFetches == 2)
            // Known keys keep working meanwhile.
            #expect(await lookup(cache, "a", at: 100) == .success("a"))
            _ = await lookup(cache, "forged-9", at: 120)
            #expect(server.keySetFetches == 3)
        }
    }

    @Test func aRotatedKeyIsPickedUpByTheRefetch() async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "old")]) { server in
            let cache = try cache(server)
            _ = await lookup(cache, "old", at: 0)
            server.publish([TestRSAKey.first.jwk(kid: "old"), TestRSAKey.second.jwk(kid: "new")])
            #expect(await lookup(cache, "new", at: 600) == .success("new"))
            #expect(server.keySetFetches == 2)
        }
    }

    @Test func failedFetchesFailClosedAndAreRetriedOncePerMinute() async throws {
        try await KeySetServer.with([]) { server in
            server.publish([TestRSAKey.first.jwk(kid: "a")], status: 503)
            let cache = try cache(server)
            let failure = try #require(await refusal(cache, "a", at: 0))
            #expect(failure.code == "keys_unavailable" && failure.status.code == 401)
            #expect(failure.message.contains("503"))
            _ = await lookup(cache, "a", at: 30)
            #expect(server.keySetFetches == 1)
            server.publish([TestRSAKey.first.jwk(kid: "a")])
            #expect(await lookup(cache, "a", at: 60) == .success("a"))
            #expect(server.keySetFetches == 2)
        }
    }

    @Test func documentsWithoutUsableKeysFailClosed() async throws {
        try await KeySetServer.with([]) { server in
            let cache = try cache(server)
            let empty = try #require(await refusal(cache, "a", at: 0))
            #expect(empty.code == "keys_unavailable")
            server.published.update { $0.document = Array("<html>".utf8) }
            let html = try #require(await refusal(cache, "a", at: 60))
            #expect(html.code == "keys_unavailable" && html.message.contains("not a JWKS"))
        }
    }

    @Test func expiredKeysAreNotUsedWhenTheRefreshFails() async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "a")]) { server in
            let cache = try cache(server)
            #expect(await lookup(cache, "a", at: 0) == .success("a"))
            server.publish([TestRSAKey.first.jwk(kid: "a")], status: 500)
            let failure = try #require(await refusal(cache, "a", at: 86_400))
            #expect(failure.code == "keys_unavailable")
        }
    }

    @Test func anUnreachableServerFailsClosed() async throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let reserved = try ReservedPort()
        let fetcher = try HTTPKeySetFetcher(client: HTTPClient(group: group),
                                            source: .keySet(url: "http://127.0.0.1:\(reserved.port)/jwks"))
        let cache = JWKSCache(fetcher: fetcher)
        let failure = try #require(await refusal(cache, "a", at: 0))
        #expect(failure.code == "keys_unavailable" && failure.message.contains("127.0.0.1:\(reserved.port)"))
    }

    @Test func theOpenIDMetadataLeadsToTheKeySet() async throws {
        try await KeySetServer.with([TestRSAKey.first.jwk(kid: "a")]) { server in
            let fetcher = try HTTPKeySetFetcher(client: server.client, source: .openIDConfiguration(url: server.openIDURL))
            #expect(await lookup(JWKSCache(fetcher: fetcher), "a", at: 0) == .success("a"))
            #expect(server.requests.value == ["/openid", "/jwks"])
        }
    }

    @Test func keySetURLsMustBeHTTPSExceptOnLoopback() throws {
        let group = try EventLoopGroup(loopCount: 1)
        defer { group.shutdown() }
        let client = HTTPClient(group: group)
        for bad in ["http://login.botframework.com/keys", "ftp://example.com/jwks", "/jwks", "https://user@example.com/jwks"] {
            #expect(throws: VerifierConfigurationError.self) { try HTTPKeySetFetcher(client: client, source: .keySet(url: bad)) }
        }
        let botFramework = try KeySetURL("https://login.botframework.com/v1/.well-known/openidconfiguration")
        #expect(botFramework.destination == .https(host: "login.botframework.com"))
        #expect(botFramework.target == "/v1/.well-known/openidconfiguration")
        // The '@' is in the path, not user info.
        let google = try KeySetURL("https://www.googleapis.com/service_accounts/v1/jwk/chat@system.gserviceaccount.com")
        #expect(google.destination == .https(host: "www.googleapis.com"))
        #expect(google.target == "/service_accounts/v1/jwk/chat@system.gserviceaccount.com")
    }
}
