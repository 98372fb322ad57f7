extension CronExpression {
    /// The five fields of a cron expression, in order.
    public enum Field: String, Sendable, CaseIterable, CustomStringConvertible {
        case minute
        case hour
        case dayOfMonth = "day-of-month"
        case month
        case dayOfWeek = "day-of-week"

        public var description: String { rawValue }

        /// Values a person may write. Day-of-week takes 7 as a second name for Sunday.
        var accepted: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// What `*` and the open end of `a/n` cover. Day-of-week stops at Saturday so that
        /// `1/2` means Mon, Wed, Fri and not Sunday again as 7.
        var full: ClosedRange<Int> {
            self == .dayOfWeek ? 0...6 : accepted
        }

        /// Names in the order of their values, starting at `full.lowerBound`.
        var names: [String]? {
            switch self {
            case .month: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            case .dayOfWeek: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            default: nil
            }
        }

        var nameHint: String? {
            switch self {
            case .month: "a month name (jan–dec)"
            case .dayOfWeek: "a day name (sun–sat)"
            default: nil
            }
        }

        var rangeText: String { "\(accepted.lowerBound)–\(accepted.upperBound)" }

        /// What a step would have to spill into to go past the field's end.
        var enclosingUnit: String {
            switch self {
            case .minute: "hour"
            case .hour: "day"
            case .dayOfMonth: "month"
            case .month: "year"
            case .dayOfWeek: "week"
            }
        }
    }
}

/// The values one field matches, as bits (no field has more than 60 values).
struct CronValues: Sendable, Equatable {
    private(set) var bits: UInt64 = 0

    mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }

    func contains(_ value: Int) -> Bool { bits & (1 << UInt64(value)) != 0 }

    /// The smallest value ≥ `value`, or nil when there is none; this is what lets the search
    /// jump straight to the next matching month, day, hour or minute.
    func first(atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let remaining = bits >> UInt64(value)
        return remaining == 0 ? nil : value + remaining.trailingZeroBitCount
    }

    var values: [Int] { (0..<64).filter(contains) }
}

/// One field's text turned into values, e.g. `1-5,10/15` for minutes.
struct CronFieldParser {
    let field: CronExpression.Field

    func parse(_ text: Substring) throws(CronError) -> CronValues {
        var values = CronValues()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw .emptyItem(field: field, token: String(text)) }
            for value in try range(of: item) {
                // Sunday is stored once, as 0, however it was written.
                values.insert(field == .dayOfWeek && value == 7 ? 0 : value)
            }
        }
        return values
    }

    /// `*`, `a`, `a-b`, each optionally with `/step`; `a/step` runs to the end of the field.
    private func range(of item: Substring) throws(CronError) -> StrideThrough<Int> {
        let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let base = parts[0]
        let step = parts.count == 2 ? try self.step(parts[1], in: item) : nil

        let bounds: ClosedRange<Int>
        if base == "*" {
            bounds = field.full
        } else if let dash = base.firstIndex(of: "-") {
            let low = try value(base[..<dash], in: item)
            var high = try value(base[base.index(after: dash)...], in: item)
            // `fri-sun` reads naturally; Sunday is 0 by name but ends a range as 7.
            if field == .dayOfWeek && high == 0 && low > 0 { high = 7 }
            guard low <= high else { throw .backwardsRange(field: field, token: String(base)) }
            bounds = low...high
        } else {
            let single = try value(base, in: item)
            bounds = step == nil ? single...single : single...max(single, field.full.upperBound)
        }
        return stride(from: bounds.lowerBound, through: bounds.upperBound, by: step ?? 1)
    }

    private func step(_ text: Substring, in item: Substring) throws(CronError) -> Int {
        guard !text.isEmpty else { throw .malformed(field: field, token: String(item)) }
        guard let step = Self.decimal(text) else {
            throw Self.isDigits(text) ? .stepTooLarge(field: field, token: String(item))
                                      : .notANumber(field: field, token: String(text))
        }
        guard step >= 1 else { throw .stepTooSmall(field: field, token: String(item)) }
        guard step <= field.full.count else { throw .stepTooLarge(field: field, token: String(item)) }
        return step
    }

    private func value(_ text: Substring, in item: Substring) throws(CronError) -> Int {
        guard !text.isEmpty else { throw .malformed(field: field, token: String(item)) }
        if let number = Self.decimal(text) {
            guard field.accepted.contains(number) else { throw .outOfRange(field: field, token: String(text)) }
            return number
        }
        if Self.isDigits(text) { throw .outOfRange(field: field, token: String(text)) }  // too long for an Int
        if let index = field.names?.firstIndex(of: text.lowercased()) {
            return field.full.lowerBound + index
        }
        throw .notANumber(field: field, token: String(text))
    }

    /// ASCII digits only: `Int("+5")` would accept a sign cron does not have.
    private static func decimal(_ text: Substring) -> Int? {
        isDigits(text) ? Int(text) : nil
    }

    private static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
