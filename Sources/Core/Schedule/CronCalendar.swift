import Foundation

/// A minute on a wall clock, with no zone attached. The search walks these with plain
/// proleptic Gregorian arithmetic and only asks the time zone about the one candidate it
/// finds, so that DST gaps and repeats are decided explicitly (see `TimeZone.instant(ofWall:)`)
/// rather than by whatever `Calendar.date(from:)` does with a time that does not exist.
struct WallMinute: Sendable, Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        (self.year, self.month, self.day, self.hour, self.minute) = (year, month, day, hour, minute)
    }

    /// The wall minute containing `wallSeconds` (seconds since 1970-01-01 00:00 on this wall clock).
    init(wallSeconds: Int) {
        let (days, secondOfDay) = wallSeconds.floorDivided(by: 86_400)
        (year, month, day) = GregorianDate.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
    }

    var wallSeconds: Int {
        GregorianDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
    }

    var nextMinute: WallMinute { WallMinute(wallSeconds: wallSeconds + 60) }
}

/// Date arithmetic on the proleptic Gregorian calendar (H. Hinnant's days-from-civil).
enum GregorianDate {
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 0 = Sunday … 6 = Saturday, as in cron.
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        // 1970-01-01 was a Thursday.
        (days(year: year, month: month, day: day) + 4).floorDivided(by: 7).remainder
    }
}

/// Where a wall-clock time falls in a zone's real timeline.
enum WallTimeResolution: Equatable {
    /// The time exists; when it exists twice (fall-back), this is the first occurrence.
    case exists(firstOccurrence: Int)
    /// The time falls in a spring-forward gap; the instant the gap ends (the first existing
    /// minute after it, e.g. 03:00 CEST for 02:30 in Berlin).
    case skipped(gapEnd: Int)
}

extension TimeZone {
    func offset(at instant: Int) -> Int {
        secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// When the wall clock of this zone shows `wall` (both in seconds since 1970), or nil if the
    /// zone's offsets around it are too irregular to place it (not seen in the tz database).
    func instant(ofWall wall: Int) -> WallTimeResolution? {
        // Any instant showing this wall time lies within a day of it, so the offsets in force a
        // day either side (and at the time itself) are the only candidates.
        let offsets = Set([-86_400, 0, 86_400].map { offset(at: wall + $0) })
        let occurrences = offsets.map { wall - $0 }.filter { wall - offset(at: $0) == $0 }
        if let first = occurrences.min() { return .exists(firstOccurrence: first) }

        // A gap: before the transition the clock shows less than `wall`, after it more.
        // Find the transition, the first instant whose wall time is at or past `wall`.
        guard let lowestOffset = offsets.min(), let highestOffset = offsets.max() else { return nil }
        var before = wall - highestOffset, after = wall - lowestOffset
        guard before + offset(at: before) < wall, after + offset(at: after) > wall else { return nil }
        while after - before > 1 {
            let middle = before + (after - before) / 2
            if middle + offset(at: middle) >= wall { after = middle } else { before = middle }
        }
        return .skipped(gapEnd: after)
    }
}

fileprivate extension Int {
    /// Division rounding toward negative infinity, so times before 1970 land in the right day.
    func floorDivided(by divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((self % divisor) + divisor) % divisor
        return ((self - remainder) / divisor, remainder)
    }
}
