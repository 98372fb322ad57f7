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
        let trimmed = value.trimmingWhitespace()
        if let seconds = Double(trimmed), seconds.isFinite { return clamped(seconds) }
        guard let date = httpDate(trimmed) else { return nil }
        return clamped(date.timeIntervalSince(now))
    }

    /// IMF-fixdate, and the two obsolete forms recipients must still accept (RFC 9110 §5.6.7).
    static func httpDate(_ text: String) -> Date? {
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    private static func seconds(_ value: JSONValue) -> Duration? {
        switch value {
        case .integer(let i): return clamped(Double(i))
        case .number(let n) where n.isFinite: return clamped(n)
        default: return nil
        }
    }

    private static func clamped(_ seconds: Double) -> Duration {
        .milliseconds(Int64((max(seconds, 0) * 1000).rounded(.up)))
    }
}
