import Core
import Foundation
import HTTP

/// What a platform's answer to an outbound request means, for the delivery record and the retry
/// policy. Some platforms report failures inside a 200 (Slack's `ok: false`, Linear's GraphQL
/// `errors`), so the status alone is not enough.
public enum DeliveryOutcome: Sendable, Equatable {
    /// `messageID` is the platform's id of the posted message (Slack ts, Telegram message_id,
    /// Discord id, Teams activity id, Google Chat message name, …), for updating it later.
    case delivered(messageID: String?)
    /// Try again after `retryAfter`, or after the caller's own backoff when the platform named none.
    case rateLimited(retryAfter: Duration?)
    case failed(reason: String, retryable: Bool)

    public static func classify(platform: ChannelPlatform, status: Int, headers: HTTPHeaders, body: [UInt8],
                                now: Date) -> DeliveryOutcome {
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(body))).map {
            PayloadReader(platform: platform, value: $0)
        }
        if isRateLimited(platform: platform, status: status, headers: headers, json: json) {
            return .rateLimited(retryAfter: RetryAfter.delay(platform: platform, headers: headers, body: body, now: now))
        }
        guard (200..<300).contains(status) else {
            let reason = json.flatMap(errorText) ?? "HTTP \(status)"
            return .failed(reason: reason, retryable: status >= 500 || status == 408)
        }
        return delivered(platform: platform, json: json)
    }

    private static func isRateLimited(platform: ChannelPlatform, status: Int, headers: HTTPHeaders, json: PayloadReader?) -> Bool {
        if status == 429 { return true }
        switch platform {
        case .slack:
            return ["ratelimited", "rate_limited"].contains(json?.string("error"))
        case .github:
            // GitHub answers a spent quota with 403, told apart from a refusal by its headers.
            return status == 403 && (headers["x-ratelimit-remaining"] == "0" || headers["Retry-After"] != nil)
        case .whatsapp:
            // Graph API throttling codes: app, account, Cloud API throughput, pair rate limits.
            return [4, 80007, 130429, 131056].contains(json?.int("error.code"))
        case .linear:
            return json?.objects("errors").contains { $0.string("extensions.code") == "RATELIMITED" } ?? false
        case .telegram, .discord, .teams, .googleChat:
            return false
        }
    }

    private static func delivered(platform: ChannelPlatform, json: PayloadReader?) -> DeliveryOutcome {
        switch platform {
        case .slack:
            guard json?.bool("ok") == true else { return slackFailure(json?.string("error") ?? "a response without ok") }
            return .delivered(messageID: json?.text("ts"))
        case .telegram:
            guard json?.bool("ok") == true else { return .failed(reason: json?.text("description") ?? "a response without ok", retryable: false) }
            return .delivered(messageID: json?.id("result.message_id"))
        case .linear:
            if let error = json?.objects("errors").first {
                return .failed(reason: error.text("message") ?? "GraphQL error", retryable: false)
            }
            guard json?.bool("data.commentCreate.success") != false else { return .failed(reason: "commentCreate did not succeed", retryable: false) }
            return .delivered(messageID: json?.text("data.commentCreate.comment.id"))
        case .whatsapp:
            return .delivered(messageID: json?.objects("messages").first?.text("id"))
        case .googleChat:
            return .delivered(messageID: json?.text("name"))
        case .discord, .github, .teams:
            return .delivered(messageID: json?.id("id"))
        }
    }

    /// Slack errors worth another attempt; the rest (`channel_not_found`, `not_in_channel`,
    /// `invalid_auth`, …) will fail the same way again.
    private static func slackFailure(_ error: String) -> DeliveryOutcome {
        .failed(reason: error, retryable: ["internal_error", "fatal_error", "service_unavailable", "request_timeout"].contains(error))
    }

    private static func errorText(_ json: PayloadReader) -> String? {
        json.text("error.message") ?? json.text("message") ?? json.text("description") ?? json.text("error")
            ?? json.objects("errors").first?.text("message")
    }
}
