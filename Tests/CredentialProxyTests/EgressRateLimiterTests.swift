@testable import CredentialProxy
import Testing

@Suite("Egress: rate limits")
struct EgressRateLimiterTests {
    let origin = ContinuousClock.now

    /// An instant `seconds` after the limiter's origin: the clock is injected, nothing sleeps.
    private func at(_ seconds: Double) -> ContinuousClock.Instant {
        origin + .milliseconds(Int(seconds * 1000))
    }

    private func rule(_ id: String = "r1", limit: Int?) throws -> EgressRule {
        try EgressRule(id: id, host: "api.example.com", action: .allow, rateLimitPerMinute: limit)
    }

    @Test func upToTheLimitIsAllowedThenTheRestOfTheMinuteIsRefused() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: 3)
        for t in [0, 0.1, 0.2] { #expect(limiter.allow(session: "s", rule: rule, now: at(t)).isAllowed) }
        let refused = limiter.allow(session: "s", rule: rule, now: at(0.3))
        #expect(refused == EgressRateLimiter.Outcome(isAllowed: false, retryAfterSeconds: 60))
        #expect(!limiter.allow(session: "s", rule: rule, now: at(59.9)).isAllowed)
        #expect(limiter.allow(session: "s", rule: rule, now: at(60)).isAllowed)
    }

    @Test func theWindowSlidesAndRetryAfterSaysWhenTheOldestRequestLeavesIt() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: 3)
        for t in [0.0, 20, 40] { #expect(limiter.allow(session: "s", rule: rule, now: at(t)).isAllowed) }
        #expect(limiter.allow(session: "s", rule: rule, now: at(50)).retryAfterSeconds == 10)
        #expect(limiter.allow(session: "s", rule: rule, now: at(59.5)).retryAfterSeconds == 1)
        // Second 0 has left the window; 20, 40 and now 60 are in it.
        #expect(limiter.allow(session: "s", rule: rule, now: at(60)).isAllowed)
        #expect(limiter.allow(session: "s", rule: rule, now: at(61)).retryAfterSeconds == 19)
        #expect(limiter.allow(session: "s", rule: rule, now: at(80)).isAllowed)
    }

    @Test func retryAfterWaitsForEnoughRequestsToLeave() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: 4)
        for t in [0.0, 0.5, 10, 30] { #expect(limiter.allow(session: "s", rule: rule, now: at(t)).isAllowed) }
        // Four in the window: one has to leave, and second 0 holds two.
        #expect(limiter.allow(session: "s", rule: rule, now: at(45)).retryAfterSeconds == 15)
        // Both requests of second 0 left at once, making room for two.
        #expect(limiter.allow(session: "s", rule: rule, now: at(60)).isAllowed)
        #expect(limiter.allow(session: "s", rule: rule, now: at(60)).isAllowed)
        #expect(limiter.allow(session: "s", rule: rule, now: at(60)).retryAfterSeconds == 10)
    }

    @Test func refusedRequestsAreNotCounted() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: 1)
        #expect(limiter.allow(session: "s", rule: rule, now: at(0)).isAllowed)
        for t in stride(from: 1.0, to: 60, by: 0.5) { #expect(!limiter.allow(session: "s", rule: rule, now: at(t)).isAllowed) }
        #expect(limiter.allow(session: "s", rule: rule, now: at(60)).isAllowed)
    }

    @Test func eachSessionAndRuleHasItsOwnWindow() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let first = try rule("r1", limit: 1)
        let second = try rule("r2", limit: 1)
        #expect(limiter.allow(session: "a", rule: first, now: at(0)).isAllowed)
        #expect(!limiter.allow(session: "a", rule: first, now: at(0)).isAllowed)
        #expect(limiter.allow(session: "b", rule: first, now: at(0)).isAllowed)
        #expect(limiter.allow(session: "a", rule: second, now: at(0)).isAllowed)
    }

    @Test func aRuleWithoutALimitIsNeverLimitedAndCostsNoMemory() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: nil)
        for _ in 0..<1000 { #expect(limiter.allow(session: "s", rule: rule, now: at(0)).isAllowed) }
        #expect(limiter.windowCount == 0)
    }

    @Test func anEditedLimitTakesEffectAtOnce() throws {
        let limiter = EgressRateLimiter(origin: origin)
        #expect(limiter.allow(session: "s", rule: try rule(limit: 2), now: at(0)).isAllowed)
        #expect(limiter.allow(session: "s", rule: try rule(limit: 2), now: at(1)).isAllowed)
        #expect(!limiter.allow(session: "s", rule: try rule(limit: 2), now: at(2)).isAllowed)
        #expect(limiter.allow(session: "s", rule: try rule(limit: 3), now: at(3)).isAllowed)
        #expect(!limiter.allow(session: "s", rule: try rule(limit: 1), now: at(4)).isAllowed)
    }

    @Test func anInstantOlderThanTheWindowCountsAsItsLatestSecond() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: 2)
        #expect(limiter.allow(session: "s", rule: rule, now: at(10)).isAllowed)
        #expect(limiter.allow(session: "s", rule: rule, now: at(5)).isAllowed)
        #expect(limiter.allow(session: "s", rule: rule, now: at(5)).retryAfterSeconds == 60)
        #expect(limiter.allow(session: "s", rule: rule, now: at(70)).isAllowed)
        // Before the origin is second 0, not a crash.
        #expect(limiter.allow(session: "t", rule: rule, now: origin - .seconds(5)).isAllowed)
    }

    @Test func idleWindowsAreDroppedOnceAMinute() throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: 5)
        for session in ["a", "b", "c"] { _ = limiter.allow(session: session, rule: rule, now: at(0)) }
        _ = limiter.allow(session: "d", rule: rule, now: at(30))
        #expect(limiter.windowCount == 4)
        _ = limiter.allow(session: "e", rule: rule, now: at(61))
        #expect(limiter.windowCount == 2, "a, b and c had nothing in the last minute; d and e stay")
    }

    @Test func atTheBoundTheLeastRecentlyUsedWindowMakesRoom() throws {
        let limiter = EgressRateLimiter(origin: origin, maxWindows: 2)
        let rule = try rule(limit: 1)
        #expect(limiter.allow(session: "a", rule: rule, now: at(0)).isAllowed)
        #expect(limiter.allow(session: "b", rule: rule, now: at(1)).isAllowed)
        #expect(limiter.allow(session: "c", rule: rule, now: at(2)).isAllowed)
        #expect(limiter.windowCount == 2)
        // b and c are still limited; a was forgotten, which is the price of the bound.
        #expect(!limiter.allow(session: "b", rule: rule, now: at(3)).isAllowed)
        #expect(!limiter.allow(session: "c", rule: rule, now: at(3)).isAllowed)
        #expect(limiter.windowCount == 2)
    }

    @Test func concurrentRequestsNeverExceedTheLimit() async throws {
        let limiter = EgressRateLimiter(origin: origin)
        let rule = try rule(limit: 100)
        let now = at(1)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1000 { group.addTask { limiter.allow(session: "s", rule: rule, now: now).isAllowed } }
            var count = 0
            for await isAllowed in group where isAllowed { count += 1 }
            return count
        }
        #expect(allowed == 100)
    }
}
