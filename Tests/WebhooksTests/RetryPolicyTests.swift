import Foundation
import HTTP
import Testing
import Core
@testable import Webhooks

@Suite struct RetryPolicyTests {
    @Test func theStandardScheduleSpansAboutADay() {
        let total = RetryPolicy.standard.delays.reduce(Duration.zero, +)
        #expect(total > .seconds(20 * 3600) && total < .seconds(26 * 3600))
        #expect(RetryPolicy.standard.delays.first == .seconds(5))
        #expect(zip(RetryPolicy.standard.delays, RetryPolicy.standard.delays.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func delaysFollowTheScheduleWithinTheJitterThenStop() {
        let policy = RetryPolicy(delays: [.seconds(10), .seconds(100)], jitter: 0.2)
        for _ in 0..<50 {
            let first = policy.delay(afterFailedAttempts: 1)!
            #expect(first >= .seconds(8) && first <= .seconds(12))
            let second = policy.delay(afterFailedAttempts: 2)!
            #expect(second >= .seconds(80) && second <= .seconds(120))
        }
        #expect(policy.delay(afterFailedAttempts: 3) == nil, "the schedule is spent: give up")
        #expect(policy.delay(afterFailedAttempts: 0) == nil)
    }

    @Test func retryAfterIsANeverShorterWaitCappedByThePolicy() {
        let policy = RetryPolicy(delays: [.seconds(10), .seconds(10)], jitter: 0, maxRetryAfter: .seconds(3600))
        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: .seconds(2)) == .seconds(10))
        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: .seconds(60)) == .seconds(60))
        #expect(policy.delay(afterFailedAttempts: 1, retryAfter: .seconds(999_999)) == .seconds(3600))
        #expect(policy.delay(afterFailedAttempts: 3, retryAfter: .seconds(1)) == nil, "it does not extend the schedule")
    }

    /// The header is read by the HTTP module's parser, which the channels share (their tests
    /// cover its forms); what matters here is that a response's header reaches the policy.
    @Test func retryAfterComesFromTheResponseHeaders() {
        let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT
        let headers: HTTPHeaders = ["retry-after": "Sun, 06 Nov 1994 08:50:37 GMT"]
        #expect(headers.retryAfter(now: now) == .seconds(60))
        #expect((["Retry-After": "120"] as HTTPHeaders).retryAfter(now: now) == .seconds(120))
        #expect((["Retry-After": "soon"] as HTTPHeaders).retryAfter(now: now) == nil)
        #expect(HTTPHeaders().retryAfter(now: now) == nil)
    }
}
