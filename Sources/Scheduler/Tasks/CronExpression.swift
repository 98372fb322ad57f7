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
public struct CronExpression: Sendable, Equatable {
    let minutes: CronValues
    let hours: CronValues
    let daysOfMonth: CronValues
    let months: CronValues
    let daysOfWeek: CronValues
    let dayOfMonthIsWildcard: Bool
    let dayOfWeekIsWildcard: Bool

    static let macros: [String: String] = [
        "@hourly": "0 * * * *",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@weekly": "0 0 * * 0",
        "@monthly": "0 0 1 * *",
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
    ]

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
    }

    func dayMatches(dayOfMonth: Int, weekday: Int) -> Bool {
        let byDayOfMonth = daysOfMonth.contains(dayOfMonth)
        let byWeekday = daysOfWeek.contains(weekday)
        return dayOfMonthIsWildcard || dayOfWeekIsWildcard ? byDayOfMonth && byWeekday : byDayOfMonth || byWeekday
    }
}
