import Foundation

/// Any JSON value, for fields whose shape belongs to the user (session metadata) or to a later
/// component (agent settings).
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    /// Integers are kept apart from doubles so ids and counts above 2^53 survive unchanged.
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let i): try c.encode(i)
        case .number(let n):
            if n.rounded() == n, abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public static func decode(_ text: String) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    public var encodedText: String { jsonText }
}

extension JSONValue: JSONWritable {
    public func write(to w: inout JSONWriter) {
        switch self {
        case .null: w.null()
        case .bool(let b): w.bool(b)
        case .integer(let i): w.int(i)
        case .number(let n): w.double(n)
        case .string(let s): w.string(s)
        case .array(let a): w.array(a)
        case .object(let o):
            w.objectStart()
            for key in o.keys.sorted() {
                w.string(key)
                w.dropComma()
                w.appendColon()
                o[key]!.write(to: &w)
            }
            w.objectEnd()
        }
    }
}

/// Shared coders: sorted keys make responses byte-stable, which idempotent replays rely on.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    public static let decoder = JSONDecoder()

    public static func encode<T: JSONWritable>(_ value: T) -> [UInt8] { value.jsonBytes }

    public static func encodeText<T: JSONWritable>(_ value: T) -> String { value.jsonText }
}
