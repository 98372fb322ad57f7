import Foundation
import Testing
@testable import Scheduler

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
}
