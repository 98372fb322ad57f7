import Foundation

extension HTTPHeaders {
    /// The wait a response's `Retry-After` asks for (RFC 9110 §10.2.3); nil without a readable one.
    public func retryAfter(now: Date = Date()) -> Duration? {
        self["Retry-After"].flatMap { Self.parseRetryAfter($0, now: now) }
    }

    /// A `Retry-After` value: delay-seconds, or an HTTP-date. A date in the past (or a negative
    /// number) is no wait. Shared by every client that retries: channels and outbound webhooks.
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite { return clampedDelay(seconds) }
        guard let date = httpDate(trimmed) else { return nil }
        return clampedDelay(date.timeIntervalSince(now))
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

    /// Whole milliseconds, rounded up, never negative.
    public static func clampedDelay(_ seconds: Double) -> Duration {
        .milliseconds(Int64((Swift.max(seconds, 0) * 1000).rounded(.up)))
    }
}
