/// Why a cron expression or its time zone was refused. Each message names the field and the
/// offending token so a person can fix the schedule without reading the cron manual.
public enum CronError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    /// Neither 5 fields nor a macro.
    case wrongFieldCount(Int)
    /// 6 fields: the Quartz/Spring form with a leading seconds field.
    case secondsField
    case unknownMacro(String)
    case emptyItem(field: CronExpression.Field, token: String)
    /// A range or step with a side missing, such as `1-` or `/5`.
    case malformed(field: CronExpression.Field, token: String)
    case notANumber(field: CronExpression.Field, token: String)
    case outOfRange(field: CronExpression.Field, token: String)
    case backwardsRange(field: CronExpression.Field, token: String)
    case stepTooSmall(field: CronExpression.Field, token: String)
    case stepTooLarge(field: CronExpression.Field, token: String)
    /// `suggestion` is the correctly spelled name when only the letter case was wrong.
    case unknownTimeZone(String, suggestion: String?)

    static let fieldList = "minute hour day-of-month month day-of-week"
    static let macroList = "@hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually"

    public var description: String {
        switch self {
        case .empty:
            return "empty cron expression; expected 5 fields (\(Self.fieldList)) or a macro such as @daily"
        case .wrongFieldCount(let count):
            return "expected 5 fields (\(Self.fieldList)), got \(count)"
        case .secondsField:
            return "6 fields given, but a seconds field is not supported: tasks fire at most once a minute; "
                + "use 5 fields (\(Self.fieldList))"
        case .unknownMacro(let macro):
            return "unknown macro \"\(macro)\"; use one of \(Self.macroList)"
        case .emptyItem(let field, let token):
            return "\(field) field: empty item in \"\(token)\""
        case .malformed(let field, let token):
            return "\(field) field: \"\(token)\" is incomplete; expected a number, a range such as 1-5 "
                + "or a step such as */5"
        case .notANumber(let field, let token):
            let names = field.nameHint.map { " or \($0)" } ?? ""
            return "\(field) field: \"\(token)\" is not a number\(names)"
        case .outOfRange(let field, let token):
            return "\(field) field: \(token) is out of range \(field.rangeText)"
        case .backwardsRange(let field, let token):
            return "\(field) field: range \(token) runs backwards; ranges do not wrap around, "
                + "so write the smaller value first or use a list such as 22-23,0-2"
        case .stepTooSmall(let field, let token):
            return "\(field) field: the step in \"\(token)\" must be at least 1"
        case .stepTooLarge(let field, let token):
            return "\(field) field: the step in \"\(token)\" is larger than the field's range \(field.rangeText); "
                + "a step never carries over into the next \(field.enclosingUnit)"
        case .unknownTimeZone(let name, let suggestion?):
            return "unknown time zone \"\(name)\"; did you mean \(suggestion)?"
        case .unknownTimeZone(let name, nil):
            return "unknown time zone \"\(name)\"; use an IANA name such as Europe/Berlin"
        }
    }
}
