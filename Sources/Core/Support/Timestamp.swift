import Foundation

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-24T21:30:00.123Z`): what the API
/// returns, and what the database stores, since the text sorts like the instants.
public enum Timestamp {
    public static func nowMillis() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    public static func now() -> String { format(millis: nowMillis()) }

    public static func format(millis: UInt64) -> String {
        var seconds = time_t(millis / 1000)
        var t = tm()
        gmtime_r(&seconds, &t)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(t.tm_year + 1900, 4))-\(pad(t.tm_mon + 1, 2))-\(pad(t.tm_mday, 2))T" +
            "\(pad(t.tm_hour, 2)):\(pad(t.tm_min, 2)):\(pad(t.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }

    public static func format(date: Date) -> String {
        format(millis: UInt64(max(0, date.timeIntervalSince1970 * 1000)))
    }

    /// `now + seconds`, formatted.
    public static func after(seconds: Double) -> String {
        format(millis: nowMillis() + UInt64(max(0, seconds * 1000)))
    }

    public static func unixSeconds() -> Int64 { Int64(nowMillis() / 1000) }

    /// Reads back what `format` wrote (`YYYY-MM-DDTHH:MM:SS.mmmZ`); nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 24, digits[23] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for i in range {
                guard (48...57).contains(digits[i]) else { return nil }
                value = value * 10 + Int32(digits[i] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19), let millis = number(20..<23) else { return nil }
        var t = tm()
        t.tm_year = year - 1900; t.tm_mon = month - 1; t.tm_mday = day
        t.tm_hour = hour; t.tm_min = minute; t.tm_sec = second
        let seconds = timegm(&t)
        return Date(timeIntervalSince1970: Double(seconds) + Double(millis) / 1000)
    }
}
