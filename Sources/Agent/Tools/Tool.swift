/// A tool the model can call. Tools never throw for ordinary failures they can describe: those
/// become an error result the model reads and can act on.
protocol Tool: Sendable {
    var definition: ToolDefinition { get }
    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome
}

/// What a tool has to work with during one run.
struct ToolContext: Sendable {
    var runID: String
    var warden: WardenClient
    var workspace: Workspace
    var bashTimeout: Duration
}

struct ToolOutcome: Sendable, Equatable {
    var output: String
    var isError = false
}

enum ToolFailure: Error, Sendable, Equatable {
    /// The input does not fit the schema; the message says what is wrong.
    case invalidInput(String)
    /// The tool could not do what was asked; the message says why.
    case failed(String)
    /// Warden answered 409: the run is over, stop working on it.
    case runFinished
    /// The run's task was cancelled while the tool ran.
    case cancelled

    init(_ error: WardenError, doing what: String) {
        switch error {
        case .runFinished: self = .runFinished
        case .rejected(_, _, let message): self = .failed("\(what) was refused: \(message)")
        default: self = .failed("\(what) failed: \(error)")
        }
    }
}

/// Typed access to a tool's input object, with errors the model can act on.
struct ToolInput: Sendable {
    let fields: [String: JSONValue]

    func string(_ name: String) throws(ToolFailure) -> String {
        guard let value = fields[name] else { throw .invalidInput("`\(name)` is required") }
        guard let string = value.stringValue else { throw .invalidInput("`\(name)` must be a string") }
        return string
    }

    func optionalString(_ name: String) throws(ToolFailure) -> String? {
        guard let value = fields[name], value != .null else { return nil }
        guard let string = value.stringValue else { throw .invalidInput("`\(name)` must be a string") }
        return string
    }

    func optionalInt(_ name: String, in range: ClosedRange<Int>) throws(ToolFailure) -> Int? {
        guard let value = fields[name], value != .null else { return nil }
        guard let int = value.intValue ?? value.stringValue.flatMap({ Int($0) }), range.contains(int) else {
            throw .invalidInput("`\(name)` must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return int
    }

    func optionalBool(_ name: String) throws(ToolFailure) -> Bool? {
        guard let value = fields[name], value != .null else { return nil }
        guard let bool = value.boolValue ?? value.stringValue.flatMap({ Bool($0) }) else {
            throw .invalidInput("`\(name)` must be true or false")
        }
        return bool
    }
}
