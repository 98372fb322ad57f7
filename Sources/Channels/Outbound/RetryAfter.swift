import Core
import Foundation
import HTTP

/// How long a platform asks Warden to wait before retrying a rate-limited request.
public enum RetryAfter {
    /// The delay a response asks for, from the platform's JSON where it is more precise than the
    /// header (Discord's fractional `retry_after`, Telegram's `parameters.retry_after`), else from
    /// `Retry-After`, else from GitHub's `x-ratelimit-reset`. Nil when the response names none.
    public static func delay(platform: ChannelPlatform, headers: HTTPHeaders, body: [UInt8], now: Date) -> Duration? {
        let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body))
        switch platform {
        case .discord:
            if let seconds = json?["retry_after"].flatMap(seconds) { return seconds }
        case .telegram:
            if let seconds = json?["parameters"]?["retry_after"].flatMap(seconds) { return seconds }
        default: break
        }
        if let header = headers["Retry-After"], let delay = parse(header, now: now) { return delay }
        if platform == .github, headers["x-ratelimit-remaining"] == "0",
           let reset = headers["x-ratelimit-reset"].flatMap(Double.init) {
            return clamped(reset - now.timeIntervalSince1970)
        }
        return nil
    }

    /// A `Retry-After` value: delay-seconds, or an HTTP-date (RFC 9110 §10.2.3). A date in the
    /// past is no wait.
    public static func parse(_ value: String, now: Date) -> Duration? {
        HTTPHeaders.parseRetryAfter(value, now: now)
    }

    private static func seconds(_ value: JSONValue) -> Duration? {
        switch value {
        case .integer(let i): return clamped(Double(i))
        case .number(let n) where n.isFinite: return clamped(n)
        default: return nil
        }
    }

    private static func clamped(_ seconds: Double) -> Duration { HTTPHeaders.clampedDelay(seconds) }
}
