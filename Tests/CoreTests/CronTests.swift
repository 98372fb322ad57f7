import Foundation
import Testing
@testable import Core

/// Cron parsing, its error messages, and next fire dates in several zones, DST changes included.
/// Dates are written as ISO 8601 with the zone's offset, so each expectation shows which side
/// of a DST change it is on.
@Suite struct CronTests {
    // MARK: Syntax

    func values(_ expression: String, _ field: CronExpression.Field) throws -> [Int] {
        let parsed = try CronExpression(expression)
        switch field {
        case .minute: return parsed.minutes.values
        case .hour: return parsed.hours.values
        case .dayOfMonth: return parsed.daysOfMonth.values
        case .month: return parsed.months.values
        case .dayOfWeek: return parsed.daysOfWeek.values
        }
    }

    @Test func starMatchesTheWholeField() throws {
        #expect(try values("* * * * *", .minute) == Array(0...59))
        #expect(try values("* * * * *", .hour) == Array(0...23))
        #expect(try values("* * * * *", .dayOfMonth) == Array(1...31))
        #expect(try values("* * * * *", .month) == Array(1...12))
        #expect(try values("* * * * *", .dayOfWeek) == Array(0...6))
    }

    @Test func numbersRangesAndLists() throws {
        #expect(try values("7 * * * *", .minute) == [7])
        #expect(try values("0 9-17 * * *", .hour) == Array(9...17))
        #expect(try values("0,15,30,45 * * * *", .minute) == [0, 15, 30, 45])
        #expect(try values("1-3,10,20-21 * * * *", .minute) == [1, 2, 3, 10, 20, 21])
        #expect(try values("5,5,1-5 * * * *", .minute) == [1, 2, 3, 4, 5])
    }

    @Test func steps() throws {
        #expect(try values("*/15 * * * *", .minute) == [0, 15, 30, 45])
        #expect(try values("0 */7 * * *", .hour) == [0, 7, 14, 21])
        #expect(try values("10-30/10 * * * *", .minute) == [10, 20, 30])
        #expect(try values("10-35/10 * * * *", .minute) == [10, 20, 30])
        #expect(try values("50/5 * * * *", .minute) == [50, 55])
        #expect(try values("0 0 */10 * *", .dayOfMonth) == [1, 11, 21, 31])
        #expect(try values("0 0 * */3 *", .month) == [1, 4, 7, 10])
        #expect(try values("*/1 * * * *", .minute) == Array(0...59))
        #expect(try values("*/60 * * * *", .minute) == [0])
        #expect(try values("0 0 * * 1/2", .dayOfWeek) == [1, 3, 5])
        #expect(try values("1-10/3,*/20 * * * *", .minute) == [0, 1, 4, 7, 10, 20, 40])
    }

    @Test func monthAndDayNamesInAnyCase() throws {
        #expect(try values("0 0 1 jan,JUN,Dec *", .month) == [1, 6, 12])
        #expect(try values("0 0 1 mar-may *", .month) == [3, 4, 5])
        #expect(try values("0 0 1 jan-dec/4 *", .month) == [1, 5, 9])
        #expect(try values("0 0 * * Mon-FRI", .dayOfWeek) == [1, 2, 3, 4, 5])
        #expect(try values("0 0 * * sun,sat", .dayOfWeek) == [0, 6])
        #expect(try values("0 0 * * mon/2", .dayOfWeek) == [1, 3, 5])
    }

    @Test func sundayIsZeroOrSeven() throws {
        #expect(try values("0 0 * * 7", .dayOfWeek) == [0])
        #expect(try values("0 0 * * 0", .dayOfWeek) == [0])
        #expect(try values("0 0 * * 5-7", .dayOfWeek) == [0, 5, 6])
        #expect(try values("0 0 * * fri-sun", .dayOfWeek) == [0, 5, 6])
        #expect(try values("0 0 * * 0-7", .dayOfWeek) == Array(0...6))
        #expect(try CronExpression("0 0 * * 7") == CronExpression("0 0 * * sun"))
    }

    @Test func macros() throws {
        #expect(try CronExpression("@hourly") == CronExpression("0 * * * *"))
        #expect(try CronExpression("@daily") == CronExpression("0 0 * * *"))
        #expect(try CronExpression("@midnight") == CronExpression("0 0 * * *"))
        #expect(try CronExpression("@weekly") == CronExpression("0 0 * * 0"))
        #expect(try CronExpression("@monthly") == CronExpression("0 0 1 * *"))
        #expect(try CronExpression("@yearly") == CronExpression("0 0 1 1 *"))
        #expect(try CronExpression("@annually") == CronExpression("0 0 1 1 *"))
        #expect(try CronExpression("  @DAILY\n") == CronExpression("0 0 * * *"))
    }

    @Test func fieldsMaySitBetweenAnyWhitespace() throws {
        #expect(try CronExpression("\t0  9 * *\tmon-fri ") == CronExpression("0 9 * * 1-5"))
    }

    @Test func equalityIsAboutWhatFiresNotHowItIsWritten() throws {
        #expect(try CronExpression("0-59 * * * *") == CronExpression("* * * * *"))
        // A restricted day-of-month changes the dom/dow rule even when it lists every day.
        #expect(try CronExpression("0 0 1-31 * mon") != CronExpression("0 0 * * mon"))
    }

    // MARK: Errors

    static let errors: [(String, String)] = [
        ("", "empty cron expression; expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily"),
        ("   ", "empty cron expression; expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily"),
        ("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"),
        ("0 0 0 * * * 2024", "expected 5 fields (minute hour day-of-month month day-of-week), got 7"),
        ("0 */5 * * * *", "6 fields given, but a seconds field is not supported: tasks fire at most once a minute; "
            + "use 5 fields (minute hour day-of-month month day-of-week)"),
        ("@reboot", "unknown macro \"@reboot\"; use one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually"),
        ("@daily 5", "unknown macro \"@daily 5\"; use one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually"),
        ("61 * * * *", "minute field: 61 is out of range 0–59"),
        ("0 24 * * *", "hour field: 24 is out of range 0–23"),
        ("0 0 0 * *", "day-of-month field: 0 is out of range 1–31"),
        ("0 0 32 * *", "day-of-month field: 32 is out of range 1–31"),
        ("0 0 * 13 *", "month field: 13 is out of range 1–12"),
        ("0 0 * 0 *", "month field: 0 is out of range 1–12"),
        ("0 0 * * 8", "day-of-week field: 8 is out of range 0–7"),
        ("0 1-99 * * *", "hour field: 99 is out of range 0–23"),
        ("99999999999999999999 * * * *", "minute field: 99999999999999999999 is out of range 0–59"),
        ("x * * * *", "minute field: \"x\" is not a number"),
        ("-5 * * * *", "minute field: \"-5\" is incomplete; expected a number, a range such as 1-5 or a step such as */5"),
        ("+5 * * * *", "minute field: \"+5\" is not a number"),
        ("0 0 * foo *", "month field: \"foo\" is not a number or a month name (jan–dec)"),
        ("0 0 * * monday", "day-of-week field: \"monday\" is not a number or a day name (sun–sat)"),
        ("0 0 * jan-mon *", "month field: \"mon\" is not a number or a month name (jan–dec)"),
        ("0 0 mon * *", "day-of-month field: \"mon\" is not a number"),
        ("0 0 L * *", "day-of-month field: \"L\" is not a number"),
        ("0 0 ? * *", "day-of-month field: \"?\" is not a number"),
        ("1,,2 * * * *", "minute field: empty item in \"1,,2\""),
        ("1, * * * *", "minute field: empty item in \"1,\""),
        ("1- * * * *", "minute field: \"1-\" is incomplete; expected a number, a range such as 1-5 or a step such as */5"),
        ("*/ * * * *", "minute field: \"*/\" is incomplete; expected a number, a range such as 1-5 or a step such as */5"),
        ("/5 * * * *", "minute field: \"/5\" is incomplete; expected a number, a range such as 1-5 or a step such as */5"),
        ("*/x * * * *", "minute field: \"x\" is not a number"),
        ("*/5/2 * * * *", "minute field: \"5/2\" is not a number"),
        ("1-2-3 * * * *", "minute field: \"2-3\" is not a number"),
        ("0 22-2 * * *", "hour field: range 22-2 runs backwards; ranges do not wrap around, "
            + "so write the smaller value first or use a list such as 22-23,0-2"),
        ("0 0 * dec-jan *", "month field: range dec-jan runs backwards; ranges do not wrap around, "
            + "so write the smaller value first or use a list such as 22-23,0-2"),
        ("*/0 * * * *", "minute field: the step in \"*/0\" must be at least 1"),
        ("*/90 * * * *", "minute field: the step in \"*/90\" is larger than the field's range 0–59; "
            + "a step never carries over into the next hour"),
        ("0 0 * * */8", "day-of-week field: the step in \"*/8\" is larger than the field's range 0–7; "
            + "a step never carries over into the next week"),
        ("*/99999999999999999999 * * * *", "minute field: the step in \"*/99999999999999999999\" is larger than "
            + "the field's range 0–59; a step never carries over into the next hour"),
    ]

    @Test(arguments: errors)
    func refusesWithAMessageNamingFieldAndToken(expression: String, message: String) {
        #expect(throws: CronError.self) { try CronExpression(expression) }
        do {
            _ = try CronExpression(expression)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func errorsAreTyped() {
        #expect(throws: CronError.outOfRange(field: .minute, token: "61")) { try CronExpression("61 * * * *") }
        #expect(throws: CronError.secondsField) { try CronExpression("0 0 0 * * *") }
    }

    // MARK: Next fire dates

    func date(_ iso: String) -> Date {
        guard let date = ISO8601DateFormatter().date(from: iso) else { fatalError("bad test date \(iso)") }
        return date
    }

    func zone(_ name: String) -> TimeZone {
        guard let zone = TimeZone(identifier: name) else { fatalError("no zone \(name)") }
        return zone
    }

    /// The next `count` fire times after `start`, each in the zone's own offset.
    func fires(_ expression: String, after start: String, in zoneName: String = "UTC", count: Int = 1) throws -> [String] {
        let cron = try CronExpression(expression)
        let zone = zone(zoneName)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        var times: [String] = []
        var cursor = date(start)
        while times.count < count, let next = cron.nextFireDate(after: cursor, in: zone) {
            times.append(formatter.string(from: next))
            cursor = next
        }
        return times
    }

    @Test func utc() throws {
        #expect(try fires("* * * * *", after: "2024-01-01T00:00:00Z", count: 2) == ["2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z"])
        // Strictly after, to the minute: a few seconds past still waits for the next minute.
        #expect(try fires("* * * * *", after: "2024-01-01T00:00:59Z") == ["2024-01-01T00:01:00Z"])
        #expect(try fires("0 9 * * 1-5", after: "2024-01-05T09:00:00Z") == ["2024-01-08T09:00:00Z"])
        #expect(try fires("0 9 * * 1-5", after: "2024-01-05T08:59:00Z") == ["2024-01-05T09:00:00Z"])
        #expect(try fires("@hourly", after: "2024-12-31T23:00:00Z") == ["2025-01-01T00:00:00Z"])
        #expect(try fires("@yearly", after: "2024-06-01T00:00:00Z") == ["2025-01-01T00:00:00Z"])
        #expect(try fires("@monthly", after: "2024-01-31T12:00:00Z", count: 2) == ["2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"])
        #expect(try fires("@weekly", after: "2024-07-03T12:00:00Z") == ["2024-07-07T00:00:00Z"])
        #expect(try fires("0 0 31 * *", after: "2024-04-01T00:00:00Z", count: 2) == ["2024-05-31T00:00:00Z", "2024-07-31T00:00:00Z"])
        #expect(try fires("59 23 31 12 *", after: "2024-12-31T23:59:00Z") == ["2025-12-31T23:59:00Z"])
    }

    @Test func stepRanges() throws {
        #expect(try fires("10-30/10 9 * * *", after: "2024-05-01T00:00:00Z", count: 4)
            == ["2024-05-01T09:10:00Z", "2024-05-01T09:20:00Z", "2024-05-01T09:30:00Z", "2024-05-02T09:10:00Z"])
        #expect(try fires("0 8-18/5 * * *", after: "2024-05-01T10:00:00Z", count: 3)
            == ["2024-05-01T13:00:00Z", "2024-05-01T18:00:00Z", "2024-05-02T08:00:00Z"])
        #expect(try fires("0 0 1 */5 *", after: "2024-01-01T00:00:00Z", count: 3)
            == ["2024-06-01T00:00:00Z", "2024-11-01T00:00:00Z", "2025-01-01T00:00:00Z"])
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        // The 13th or any Friday: Fri 11 Oct, Sun 13 Oct, Fri 18 Oct.
        #expect(try fires("0 0 13 * fri", after: "2024-10-05T00:00:00Z", count: 3)
            == ["2024-10-11T00:00:00Z", "2024-10-13T00:00:00Z", "2024-10-18T00:00:00Z"])
        // Listing every day still counts as restricted, so every day matches.
        #expect(try fires("0 0 1-31 * mon", after: "2024-07-02T00:00:00Z") == ["2024-07-03T00:00:00Z"])
    }

    @Test func dayOfMonthAndDayOfWeekWhenOneStartsWithAStar() throws {
        #expect(try fires("0 0 * * mon", after: "2024-07-02T00:00:00Z") == ["2024-07-08T00:00:00Z"])
        #expect(try fires("0 0 1 * *", after: "2024-07-02T00:00:00Z") == ["2024-08-01T00:00:00Z"])
        // As in cronie: a step over * is still "starts with *", so both must match: odd-day Mondays.
        #expect(try fires("0 0 */2 * mon", after: "2024-06-01T00:00:00Z", count: 3)
            == ["2024-06-03T00:00:00Z", "2024-06-17T00:00:00Z", "2024-07-01T00:00:00Z"])
    }

    @Test func february29() throws {
        #expect(try fires("0 0 29 2 *", after: "2025-01-01T00:00:00Z", count: 2) == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        #expect(try fires("0 0 29 2 *", after: "2096-03-01T00:00:00Z") == ["2104-02-29T00:00:00Z"])
        // A Feb 29 that is a Sunday (both fields must match): 28 years apart, beyond a short search bound.
        #expect(try fires("0 0 29 2 */7", after: "2033-01-01T00:00:00Z") == ["2060-02-29T00:00:00Z"])
    }

    @Test func impossibleExpressionsNeverFire() throws {
        let start = date("2025-01-01T00:00:00Z")
        for expression in ["0 0 30 2 *", "0 0 31 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 feb *", "0 0 31 apr */7"] {
            #expect(try CronExpression(expression).nextFireDate(after: start, in: zone("UTC")) == nil, "\(expression)")
            #expect(try CronExpression(expression).nextFireDate(after: start, in: zone("Europe/Berlin")) == nil, "\(expression)")
        }
    }

    @Test func asiaKolkataHalfHourOffset() throws {
        #expect(try fires("0 9 * * *", after: "2024-01-01T00:00:00Z", in: "Asia/Kolkata") == ["2024-01-01T09:00:00+05:30"])
        // 23:59 in Kolkata is 18:29 UTC; midnight comes a minute later, still 2 January locally.
        #expect(try fires("@daily", after: "2024-01-01T18:29:00Z", in: "Asia/Kolkata") == ["2024-01-02T00:00:00+05:30"])
        #expect(date("2024-01-02T00:00:00+05:30") == date("2024-01-01T18:30:00Z"))
        #expect(try fires("*/20 * * * *", after: "2024-01-01T00:05:00Z", in: "Asia/Kolkata", count: 2)
            == ["2024-01-01T05:40:00+05:30", "2024-01-01T06:00:00+05:30"])
    }

    // Europe/Berlin 2024: clocks jump 02:00 CET → 03:00 CEST on 31 March and fall back
    // 03:00 CEST → 02:00 CET on 27 October.

    @Test func berlinOrdinaryDays() throws {
        #expect(try fires("0 9 * * mon-fri", after: "2024-01-05T10:00:00+01:00", in: "Europe/Berlin", count: 2)
            == ["2024-01-08T09:00:00+01:00", "2024-01-09T09:00:00+01:00"])
        #expect(try fires("0 9 * * *", after: "2024-03-30T10:00:00+01:00", in: "Europe/Berlin", count: 2)
            == ["2024-03-31T09:00:00+02:00", "2024-04-01T09:00:00+02:00"])
    }

    @Test func berlinSpringForwardFixedTimeFiresWhenTheGapEnds() throws {
        #expect(try fires("30 2 * * *", after: "2024-03-30T12:00:00+01:00", in: "Europe/Berlin", count: 3)
            == ["2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00", "2024-04-02T02:30:00+02:00"])
        // Several times in the gap, and 03:00 itself, fire once between them.
        #expect(try fires("0,30 2,3 * * *", after: "2024-03-31T01:45:00+01:00", in: "Europe/Berlin", count: 3)
            == ["2024-03-31T03:00:00+02:00", "2024-03-31T03:30:00+02:00", "2024-04-01T02:00:00+02:00"])
    }

    @Test func berlinSpringForwardRepeatingJobsSkipTheGap() throws {
        #expect(try fires("*/15 * * * *", after: "2024-03-31T01:40:00+01:00", in: "Europe/Berlin", count: 3)
            == ["2024-03-31T01:45:00+01:00", "2024-03-31T03:00:00+02:00", "2024-03-31T03:15:00+02:00"])
        #expect(try fires("0 */2 * * *", after: "2024-03-30T23:30:00+01:00", in: "Europe/Berlin", count: 2)
            == ["2024-03-31T00:00:00+01:00", "2024-03-31T04:00:00+02:00"])
        #expect(try fires("30 * * * *", after: "2024-03-31T01:30:00+01:00", in: "Europe/Berlin") == ["2024-03-31T03:30:00+02:00"])
    }

    @Test func berlinFallBackFiresOnceAtTheFirstOccurrence() throws {
        #expect(try fires("30 2 * * *", after: "2024-10-27T00:00:00+02:00", in: "Europe/Berlin", count: 2)
            == ["2024-10-27T02:30:00+02:00", "2024-10-28T02:30:00+01:00"])
        #expect(try fires("*/30 * * * *", after: "2024-10-27T01:45:00+02:00", in: "Europe/Berlin", count: 4)
            == ["2024-10-27T02:00:00+02:00", "2024-10-27T02:30:00+02:00", "2024-10-27T03:00:00+01:00", "2024-10-27T03:30:00+01:00"])
        // From inside the second pass, times already fired in the first pass do not fire again.
        #expect(try fires("*/15 * * * *", after: "2024-10-27T02:10:00+01:00", in: "Europe/Berlin") == ["2024-10-27T03:00:00+01:00"])
        #expect(try fires("30 2 * * *", after: "2024-10-27T02:10:00+01:00", in: "Europe/Berlin") == ["2024-10-28T02:30:00+01:00"])
    }

    // America/New_York 2024: 02:00 EST → 03:00 EDT on 10 March, 02:00 EDT → 01:00 EST on 3 November.

    @Test func newYorkAcrossBothChanges() throws {
        #expect(try fires("0 9 * * *", after: "2024-03-09T10:00:00-05:00", in: "America/New_York", count: 2)
            == ["2024-03-10T09:00:00-04:00", "2024-03-11T09:00:00-04:00"])
        #expect(try fires("30 2 * * *", after: "2024-03-09T12:00:00-05:00", in: "America/New_York", count: 2)
            == ["2024-03-10T03:00:00-04:00", "2024-03-11T02:30:00-04:00"])
        #expect(try fires("30 1 * * *", after: "2024-11-02T12:00:00-04:00", in: "America/New_York", count: 3)
            == ["2024-11-03T01:30:00-04:00", "2024-11-04T01:30:00-05:00", "2024-11-05T01:30:00-05:00"])
        #expect(try fires("0 * * * *", after: "2024-11-03T00:30:00-04:00", in: "America/New_York", count: 3)
            == ["2024-11-03T01:00:00-04:00", "2024-11-03T02:00:00-05:00", "2024-11-03T03:00:00-05:00"])
    }

    // Australia/Lord_Howe moves by 30 minutes: 02:00 → 02:30 (+10:30 → +11:00) on 6 October 2024,
    // 02:00 → 01:30 (+11:00 → +10:30) on 7 April 2024.

    @Test func lordHoweSpringForwardByHalfAnHour() throws {
        #expect(try fires("15 2 * * *", after: "2024-10-05T12:00:00+10:30", in: "Australia/Lord_Howe", count: 2)
            == ["2024-10-06T02:30:00+11:00", "2024-10-07T02:15:00+11:00"])
        // 02:00 and 02:20 do not exist; 02:40 comes next.
        #expect(try fires("*/20 * * * *", after: "2024-10-06T01:55:00+10:30", in: "Australia/Lord_Howe", count: 2)
            == ["2024-10-06T02:40:00+11:00", "2024-10-06T03:00:00+11:00"])
    }

    @Test func lordHoweFallBackByHalfAnHour() throws {
        #expect(try fires("45 1 * * *", after: "2024-04-07T00:00:00+11:00", in: "Australia/Lord_Howe", count: 2)
            == ["2024-04-07T01:45:00+11:00", "2024-04-08T01:45:00+10:30"])
        #expect(try fires("*/15 * * * *", after: "2024-04-07T01:20:00+11:00", in: "Australia/Lord_Howe", count: 4)
            == ["2024-04-07T01:30:00+11:00", "2024-04-07T01:45:00+11:00", "2024-04-07T02:00:00+10:30", "2024-04-07T02:15:00+10:30"])
    }

    @Test func datesBefore1970AndFarAhead() throws {
        #expect(try fires("0 12 * * *", after: "1969-12-31T13:00:00Z") == ["1970-01-01T12:00:00Z"])
        #expect(try fires("0 0 1 1 *", after: "2399-06-01T00:00:00Z") == ["2400-01-01T00:00:00Z"])
        #expect(try CronExpression("* * * * *").nextFireDate(after: .distantFuture, in: zone("UTC")) != nil)
        #expect(try CronExpression("* * * * *").nextFireDate(after: Date(timeIntervalSince1970: .infinity), in: zone("UTC")) == nil)
    }

    /// The field-skipping search against a minute-by-minute walk with Foundation's calendar,
    /// for random expressions in UTC (where every wall minute exists exactly once).
    @Test func agreesWithAMinuteByMinuteWalk() throws {
        var random = SplitMix64(seed: 0xC40)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone("UTC")
        let horizon = 3 * 24 * 60
        var foundInHorizon = 0
        for _ in 0..<100 {
            let text = Self.randomExpression(&random)
            let cron = try CronExpression(text)
            let start = Date(timeIntervalSince1970: TimeInterval(1_704_067_200 + Int(random.next() % (4 * 365 * 86_400))))
            let startMinute = (start.timeIntervalSince1970 / 60).rounded(.down) * 60
            let expected = (1...horizon).lazy.map { Date(timeIntervalSince1970: startMinute + Double($0 * 60)) }
                .first { Self.matches(cron, calendar.dateComponents(Self.wallParts, from: $0)) }
            let actual = cron.nextFireDate(after: start, in: calendar.timeZone)
            if let expected {
                foundInHorizon += 1
                #expect(actual == expected, "\(text) after \(start)")
            } else {
                #expect(actual.map { $0 > start.addingTimeInterval(TimeInterval(horizon * 60)) } ?? true, "\(text) after \(start)")
            }
        }
        // The rest check that nothing fires early; enough must fire inside the walk to test the search.
        #expect(foundInHorizon >= 30)
    }

    static let wallParts: Set<Calendar.Component> = [.year, .month, .day, .hour, .minute, .weekday]

    /// Whether a wall time matches, judged on Foundation's calendar fields rather than the
    /// search's own date arithmetic.
    static func matches(_ cron: CronExpression, _ wall: DateComponents) -> Bool {
        let byDay = cron.daysOfMonth.contains(wall.day!), byWeekday = cron.daysOfWeek.contains(wall.weekday! - 1)
        let day = cron.dayOfMonthIsWildcard || cron.dayOfWeekIsWildcard ? byDay && byWeekday : byDay || byWeekday
        return cron.minutes.contains(wall.minute!) && cron.hours.contains(wall.hour!) && cron.months.contains(wall.month!) && day
    }

    static func randomExpression(_ random: inout SplitMix64) -> String {
        func pick(_ choices: [String]) -> String { choices[Int(random.next() % UInt64(choices.count))] }
        return [
            pick(["*", "0", "*/7", "5-50/9", "13,47", "59"]),
            pick(["*", "0", "*/5", "9-17", "23", "1,12"]),
            pick(["*", "*", "*/3", "1-10", "15-20", "31"]),
            pick(["*", "*", "*", "*/2", "jan-jun", "2"]),
            pick(["*", "*", "mon", "1-5", "sun,sat", "*/3"]),
        ].joined(separator: " ")
    }

    /// The DST rule against a walk through real time, minute by minute, around each 2024
    /// change in Berlin, New York and Lord Howe, reading wall times with Foundation's calendar:
    /// a matching wall minute fires when the clock first shows it; when the clock jumps forward,
    /// fixed-time jobs fire once at the jump if a skipped minute matched.
    @Test func agreesWithAWalkThroughDSTChanges() throws {
        let changes = [
            ("Europe/Berlin", "2024-03-30T12:00:00Z"), ("Europe/Berlin", "2024-10-26T12:00:00Z"),
            ("America/New_York", "2024-03-09T18:00:00Z"), ("America/New_York", "2024-11-02T18:00:00Z"),
            ("Australia/Lord_Howe", "2024-04-06T04:00:00Z"), ("Australia/Lord_Howe", "2024-10-05T04:00:00Z"),
        ]
        var random = SplitMix64(seed: 0xD57)
        let expressions = ["30 2 * * *", "0,30 2,3 * * *", "*/15 * * * *", "0 */2 * * *", "45 1 * * *", "15 2 * * *",
                           "* 2 * * *", "*/7 1-3 * * *", "59 1 * * *", "0 3 * * *", "0 1-3/2 * * sun", "20-40 2 * * *"]
            + (0..<12).map { _ in Self.randomTimeOfDay(&random) }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = zone("UTC")

        for (zoneName, startText) in changes {
            var local = Calendar(identifier: .gregorian)
            local.timeZone = zone(zoneName)
            let start = date(startText), minutes = 24 * 60
            // Each real minute with the wall clock it shows, as components and as seconds.
            let walk = (1...minutes).map { step -> (instant: Date, wall: DateComponents, wallDate: Date) in
                let instant = start.addingTimeInterval(TimeInterval(step * 60))
                let wall = local.dateComponents(Self.wallParts, from: instant)
                return (instant, wall, utc.date(from: wall)!)
            }
            for text in expressions {
                let cron = try CronExpression(text)
                let matches = { Self.matches(cron, $0) }
                var expected: [Date] = [], shown = Set<Date>(), previousWall = walk[0].wallDate.addingTimeInterval(-60)
                for (instant, wall, wallDate) in walk {
                    let skipped = stride(from: previousWall.timeIntervalSince1970 + 60, to: wallDate.timeIntervalSince1970, by: 60)
                        .map { utc.dateComponents(Self.wallParts, from: Date(timeIntervalSince1970: $0)) }
                    let firstShowing = shown.insert(wallDate).inserted && matches(wall)
                    if firstShowing || (cron.hasFixedTimeOfDay && skipped.contains(where: matches)) { expected.append(instant) }
                    previousWall = max(previousWall, wallDate)
                }

                var actual: [Date] = [], cursor = start
                while let next = cron.nextFireDate(after: cursor, in: local.timeZone), next <= walk.last!.instant {
                    actual.append(next)
                    cursor = next
                }
                if actual != expected {
                    // Only the first difference: the whole lists run to hundreds of dates.
                    let index = (0...).first { actual.dropFirst($0).first != expected.dropFirst($0).first }!
                    let fired = actual.dropFirst(index).first.map { "\($0)" } ?? "nothing"
                    let wanted = expected.dropFirst(index).first.map { "\($0)" } ?? "nothing"
                    Issue.record("\(text) in \(zoneName) from \(startText): fire #\(index) is \(fired), expected \(wanted)")
                }
            }
        }
    }

    static func randomTimeOfDay(_ random: inout SplitMix64) -> String {
        func pick(_ choices: [String]) -> String { choices[Int(random.next() % UInt64(choices.count))] }
        return [pick(["*", "0", "*/10", "25-35", "15,45", "59"]), pick(["*", "1", "2", "1-3", "*/2", "0,2,4"]), "*", "*",
                pick(["*", "*", "sun", "sat", "0-6"])].joined(separator: " ")
    }

    // MARK: Schedules and time zones

    @Test func scheduleCombinesExpressionAndZone() throws {
        let schedule = try CronSchedule(expression: "0 9 * * mon-fri", timeZone: "Europe/Berlin")
        #expect(schedule.timeZone.identifier == "Europe/Berlin")
        #expect(schedule.nextFireDate(after: date("2024-01-05T10:00:00+01:00")) == date("2024-01-08T09:00:00+01:00"))
        for name in ["UTC", "GMT", "Etc/UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Argentina/Buenos_Aires"] {
            #expect(throws: Never.self, "\(name)") { try CronSchedule(expression: "@daily", timeZone: name) }
        }
    }

    @Test func unknownZonesAreRefusedWithAHint() {
        #expect(throws: CronError.unknownTimeZone("Mars/Base", suggestion: nil)) {
            try CronSchedule(expression: "@daily", timeZone: "Mars/Base")
        }
        #expect(CronError.unknownTimeZone("Mars/Base", suggestion: nil).description
            == "unknown time zone \"Mars/Base\"; use an IANA name such as Europe/Berlin")
        #expect(throws: CronError.unknownTimeZone("europe/berlin", suggestion: "Europe/Berlin")) {
            try CronSchedule(expression: "@daily", timeZone: "europe/berlin")
        }
        #expect(CronError.unknownTimeZone("europe/berlin", suggestion: "Europe/Berlin").description
            == "unknown time zone \"europe/berlin\"; did you mean Europe/Berlin?")
        // Abbreviations and ICU's GMT+n are ambiguous; Foundation accepts them, Warden does not.
        for name in ["", "PST", "CET", "GMT+5", "GMT+05:00", "../etc/passwd"] {
            #expect(throws: CronError.self, "\(name)") { try CronSchedule(expression: "@daily", timeZone: name) }
        }
    }

    @Test func scheduleReportsTheExpressionErrorFirst() {
        #expect(throws: CronError.outOfRange(field: .hour, token: "25")) {
            try CronSchedule(expression: "0 25 * * *", timeZone: "Mars/Base")
        }
    }
}

/// A small seeded generator so the random test is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
