import Foundation

/// A standard 5-field cron expression: `minute hour day-of-month month day-of-week`.
///
/// Syntax: `*`, numbers, ranges `a-b`, lists `a,b`, steps `*/n`, `a-b/n` and `a/n` (from `a` to
/// the end of the field), month names `jan`–`dec` and day names `sun`–`sat` in any case,
/// day-of-week 0–7 with both 0 and 7 meaning Sunday (a range ending in Sunday, `fri-sun`, works),
/// and the macros `@hourly @daily @midnight @weekly @monthly @yearly @annually`. A step may not
/// exceed the field's range: `*/90` in the minute field is an error rather than a silent "hourly".
///
/// Day-of-month and day-of-week follow crontab(5) as Vixie cron and cronie implement it: when
/// both fields are restricted, a day matches if *either* does (`0 0 1 * mon` is the 1st and
/// every Monday); when one starts with `*`, both must match. "Starts with `*`" includes steps,
/// so `0 0 */2 * mon` is Mondays that fall on an odd day, exactly as in cronie.
///
/// Times are wall-clock times in the zone passed to `nextFireDate(after:in:)`. Around DST
/// changes the rule is:
/// - A wall time that occurs twice (fall-back) fires once, at its first occurrence; the repeated
///   hour does not fire again, so an every-15-minutes job pauses for that hour rather than
///   running twice. (Vixie cron would run such wildcard jobs in both passes; a scheduled agent
///   run costs money, so Warden prefers never to fire a wall time twice.)
/// - A wall time that does not exist (spring-forward gap) fires at the first existing minute
///   after the gap, but only for jobs with a fixed time of day, i.e. neither the minute nor the
///   hour field starts with `*`: `30 2 * * *` in Europe/Berlin fires at 03:00 CEST on the
///   changeover day, once even if several of its times fall in the gap. Jobs that repeat
///   through the day (`*/15 * * * *`, `0 */2 * * *`) simply skip the missing minutes, since
///   their next regular time follows right after. This is what Vixie cron and cronie do.
public struct CronExpression: Sendable, Equatable {
    let minutes: CronValues
    let hours: CronValues
    let daysOfMonth: CronValues
    let months: CronValues
    let daysOfWeek: CronValues
    let dayOfMonthIsWildcard: Bool
    let dayOfWeekIsWildcard: Bool
    /// Neither minute nor hour starts with `*`: what Vixie cron calls a fixed-time job, the kind
    /// that still fires when DST skips its time.
    let hasFixedTimeOfDay: Bool

    static let macros: [String: String] = [
        "@hourly": "0 * * * *",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *",
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
    ]

    /// How far ahead `nextFireDate` looks. The Gregorian calendar repeats every 400 years
    /// (weekdays included), so an expression with no match in that span never matches; a
    /// shorter bound would miss rare but real dates such as a Feb 29 that is a Sunday.
    static let searchYears = 400

    public init(_ text: String) throws(CronError) {
        var fields = text.split(whereSeparator: \.isWhitespace)
        guard let first = fields.first else { throw .empty }
        if first.hasPrefix("@") {
            guard fields.count == 1, let expansion = Self.macros[first.lowercased()] else {
                throw .unknownMacro(fields.joined(separator: " "))
            }
            fields = expansion.split(separator: " ")
        }
        guard fields.count != 6 else { throw .secondsField }
        guard fields.count == 5 else { throw .wrongFieldCount(fields.count) }

        minutes = try CronFieldParser(field: .minute).parse(fields[0])
        hours = try CronFieldParser(field: .hour).parse(fields[1])
        daysOfMonth = try CronFieldParser(field: .dayOfMonth).parse(fields[2])
        months = try CronFieldParser(field: .month).parse(fields[3])
        daysOfWeek = try CronFieldParser(field: .dayOfWeek).parse(fields[4])
        dayOfMonthIsWildcard = fields[2].hasPrefix("*")
        dayOfWeekIsWildcard = fields[4].hasPrefix("*")
        hasFixedTimeOfDay = !fields[0].hasPrefix("*") && !fields[1].hasPrefix("*")
    }

    /// The first minute strictly after `date` that matches, read on the wall clock of
    /// `timeZone` (DST rule in the type's documentation), or nil when nothing matches in the
    /// next 400 years, i.e. never (`0 0 30 2 *`).
    public func nextFireDate(after date: Date, in timeZone: TimeZone) -> Date? {
        let seconds = date.timeIntervalSince1970
        // Beyond ±30,000 years Int arithmetic on seconds could overflow; no schedule lives there.
        guard seconds.isFinite, abs(seconds) < 1e12 else { return nil }
        let afterSecond = Int(seconds.rounded(.down))
        let wallNow = afterSecond + timeZone.offset(at: afterSecond)

        var cursor = WallMinute(wallSeconds: wallNow).nextMinute
        let lastYear = cursor.year + Self.searchYears
        while let candidate = nextMatch(atOrAfter: cursor, throughYear: lastYear) {
            switch timeZone.instant(ofWall: candidate.wallSeconds) {
            case .exists(let instant) where instant > afterSecond:
                return Date(timeIntervalSince1970: TimeInterval(instant))
            case .skipped(let gapEnd) where hasFixedTimeOfDay && gapEnd > afterSecond:
                return Date(timeIntervalSince1970: TimeInterval(gapEnd))
            case .skipped(let gapEnd):
                cursor = WallMinute(wallSeconds: gapEnd + timeZone.offset(at: gapEnd))
            case .exists, nil:
                // Already fired in the first pass of a repeated hour (or zone data we cannot
                // place): move on to the next minute.
                cursor = candidate.nextMinute
            }
        }
        return nil
    }

    /// The first wall minute at or after `start` that the fields match. Skips by field: a month
    /// that does not match is passed over whole, then a day, then an hour.
    func nextMatch(atOrAfter start: WallMinute, throughYear lastYear: Int) -> WallMinute? {
        var (year, month, day, hour, minute) = (start.year, start.month, start.day, start.hour, start.minute)
        while year <= lastYear {
            guard let matchingMonth = months.first(atOrAfter: month) else {
                (year, month, day, hour, minute) = (year + 1, 1, 1, 0, 0)
                continue
            }
            if matchingMonth != month { (month, day, hour, minute) = (matchingMonth, 1, 0, 0) }

            guard let matchingDay = firstMatchingDay(year: year, month: month, from: day) else {
                (month, day, hour, minute) = (month + 1, 1, 0, 0)
                continue
            }
            if matchingDay != day { (day, hour, minute) = (matchingDay, 0, 0) }

            guard let matchingHour = hours.first(atOrAfter: hour) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if matchingHour != hour { (hour, minute) = (matchingHour, 0) }

            guard let matchingMinute = minutes.first(atOrAfter: minute) else {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            return WallMinute(year: year, month: month, day: day, hour: hour, minute: matchingMinute)
        }
        return nil
    }

    func firstMatchingDay(year: Int, month: Int, from firstDay: Int) -> Int? {
        let lastDay = GregorianDate.daysInMonth(year: year, month: month)
        guard firstDay <= lastDay else { return nil }
        var weekday = GregorianDate.weekday(year: year, month: month, day: firstDay)
        for day in firstDay...lastDay {
            if dayMatches(dayOfMonth: day, weekday: weekday) { return day }
            weekday = (weekday + 1) % 7
        }
        return nil
    }

    func dayMatches(dayOfMonth: Int, weekday: Int) -> Bool {
        let byDayOfMonth = daysOfMonth.contains(dayOfMonth)
        let byWeekday = daysOfWeek.contains(weekday)
        return dayOfMonthIsWildcard || dayOfWeekIsWildcard ? byDayOfMonth && byWeekday : byDayOfMonth || byWeekday
    }
}
