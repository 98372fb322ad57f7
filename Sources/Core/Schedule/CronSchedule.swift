import Foundation

/// A scheduled task's timing: a cron expression read on the wall clock of an IANA time zone.
/// Building one validates both, so a task that was stored can always be scheduled.
public struct CronSchedule: Sendable, Equatable {
    public let expression: CronExpression
    public let timeZone: TimeZone

    public init(expression: String, timeZone name: String) throws(CronError) {
        self.expression = try CronExpression(expression)
        self.timeZone = try Self.ianaTimeZone(named: name)
    }

    /// The first minute strictly after `date` at which the task fires, or nil if it never does.
    public func nextFireDate(after date: Date) -> Date? {
        expression.nextFireDate(after: date, in: timeZone)
    }

    /// Foundation also accepts abbreviations (`PST`, which it reads as Los Angeles with DST) and
    /// ICU's `GMT+5` (the opposite sign of IANA's `Etc/GMT+5`); both are easy to misread, so
    /// only Area/Location names and plain UTC/GMT are taken. `knownTimeZoneIdentifiers` cannot
    /// be the test: on Linux it lacks valid names such as Asia/Kolkata.
    static func ianaTimeZone(named name: String) throws(CronError) -> TimeZone {
        let looksIANA = name.contains("/") || name == "UTC" || name == "GMT"
        if looksIANA, let zone = TimeZone(identifier: name) { return zone }
        let suggestion = TimeZone.knownTimeZoneIdentifiers.first { $0.lowercased() == name.lowercased() && $0 != name }
        throw .unknownTimeZone(name, suggestion: suggestion)
    }
}
