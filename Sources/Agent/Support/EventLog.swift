import Foundation

/// One JSON line per event on stderr (or a test's sink). Callers pass only values that are not
/// secret: ids, names, sizes, statuses, error messages; never request bodies or headers.
public struct EventLog: Sendable {
    public enum Level: String, Sendable { case info, warning, error }

    private let sink: @Sendable (String) -> Void

    public init(sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    public static let standardError = EventLog { line in
        let bytes = Array((line + "\n").utf8)
        // One write(2) per line, so lines from different threads never interleave.
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    public static let discard = EventLog { _ in }

    public func info(_ event: String, _ fields: [String: JSONValue] = [:]) { emit(.info, event, fields) }
    public func warning(_ event: String, _ fields: [String: JSONValue] = [:]) { emit(.warning, event, fields) }
    public func error(_ event: String, _ fields: [String: JSONValue] = [:]) { emit(.error, event, fields) }

    private func emit(_ level: Level, _ event: String, _ fields: [String: JSONValue]) {
        var object = fields
        object["time"] = .string(Date().formatted(.iso8601))
        object["level"] = .string(level.rawValue)
        object["event"] = .string(event)
        sink(JSONValue.object(object).jsonText)
    }
}
