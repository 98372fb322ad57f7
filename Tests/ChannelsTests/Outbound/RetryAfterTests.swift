import Channels
import Foundation
import HTTP
import Testing

@Suite struct RetryAfterTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date.
    let now = Date(timeIntervalSince1970: 784_111_777)

    @Test func delaySecondsAndHTTPDates() {
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun Nov  6 08:50:07 1994", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse("-5", now: now) == .zero)
    }

    @Test func slackRateLimitsByStatusAndHeaderOrByTheErrorInA200() {
        let limited = DeliveryOutcome.classify(platform: .slack, status: 429, headers: ["Retry-After": "30"],
                                               body: Array(#"{"ok":false,"error":"ratelimited"}"#.utf8), now: now)
        #expect(limited == .rateLimited(retryAfter: .seconds(30)))
        let inBody = DeliveryOutcome.classify(platform: .slack, status: 200, headers: [:],
                                              body: Array(#"{"ok":false,"error":"ratelimited"}"#.utf8), now: now)
        #expect(inBody == .rateLimited(retryAfter: nil))
    }

    @Test func telegramsRetryAfterParameter() {
        let body = #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}"#
        #expect(RetryAfter.delay(platform: .telegram, headers: [:], body: Array(body.utf8), now: now) == .seconds(5))
        #expect(DeliveryOutcome.classify(platform: .telegram, status: 429, headers: [:], body: Array(body.utf8), now: now)
            == .rateLimited(retryAfter: .seconds(5)))
    }

    @Test func discordsFractionalRetryAfterWinsOverTheRoundedHeader() {
        let body = #"{"message": "You are being rate limited.", "retry_after": 64.57, "global": false}"#
        let outcome = DeliveryOutcome.classify(platform: .discord, status: 429, headers: ["Retry-After": "65"],
                                               body: Array(body.utf8), now: now)
        #expect(outcome == .rateLimited(retryAfter: .milliseconds(64_570)))
    }

    @Test func gitHubsSpentQuotaIsA403WithResetHeaders() {
        let headers: HTTPHeaders = ["x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Int(now.timeIntervalSince1970) + 90)]
        let outcome = DeliveryOutcome.classify(platform: .github, status: 403, headers: headers,
                                               body: Array(#"{"message":"API rate limit exceeded"}"#.utf8), now: now)
        #expect(outcome == .rateLimited(retryAfter: .seconds(90)))
        let forbidden = DeliveryOutcome.classify(platform: .github, status: 403, headers: ["x-ratelimit-remaining": "4999"],
                                                 body: Array(#"{"message":"Resource not accessible by integration"}"#.utf8), now: now)
        #expect(forbidden == .failed(reason: "Resource not accessible by integration", retryable: false))
    }

    @Test func whatsAppThrottlingCodes() {
        let body = #"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}"#
        #expect(DeliveryOutcome.classify(platform: .whatsapp, status: 400, headers: [:], body: Array(body.utf8), now: now)
            == .rateLimited(retryAfter: nil))
    }

    @Test func anyPlatformsPlain429() {
        #expect(DeliveryOutcome.classify(platform: .teams, status: 429, headers: ["Retry-After": "2"], body: [], now: now)
            == .rateLimited(retryAfter: .seconds(2)))
        #expect(DeliveryOutcome.classify(platform: .googleChat, status: 429, headers: [:], body: [], now: now)
            == .rateLimited(retryAfter: nil))
    }
}
