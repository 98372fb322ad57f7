/// Writes JSON straight into bytes. The hot paths (a message write, a page of messages) spend
/// most of their time producing JSON; Foundation's JSONEncoder, generic over Codable, costs
/// several times more than appending bytes. Keys are written in sorted order by the callers,
/// so output is byte-for-byte what a sorted-keys encoder would produce.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    private var needsComma = false

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    public mutating func objectStart() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func objectEnd() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func arrayStart() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func arrayEnd() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// A key; the next call writes its value.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    public mutating func key(_ name: StaticString, _ value: String) { key(name); string(value) }
    public mutating func key(_ name: StaticString, _ value: String?) { key(name); string(value) }
    public mutating func key(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
    public mutating func key(_ name: StaticString, _ value: Int64) { key(name); int(value) }
    public mutating func key<T: JSONWritable>(_ name: StaticString, _ value: T) { key(name); value.write(to: &self) }
    public mutating func key<T: JSONWritable>(_ name: StaticString, _ value: T?) {
        key(name)
        if let value { value.write(to: &self) } else { null() }
    }
    /// `json` is already valid JSON (e.g. a stored column); nil writes null.
    public mutating func key(_ name: StaticString, raw json: String?) { key(name); raw(json) }

    public mutating func string(_ value: String?) {
        guard var value else { null(); return }
        separate()
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied at once; most strings are one run.
            var runStart = 0
            for (i, c) in utf8.enumerated() where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                appendEscaped(c)
                runStart = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    private mutating func appendEscaped(_ c: UInt8) {
        switch c {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
        case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
        default:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(c >> 4)], hex[Int(c & 15)]])
        }
    }

    /// For keys that are not static strings: after `string(key)`, turn it into a key.
    mutating func dropComma() { needsComma = false }
    mutating func appendColon() { bytes.append(UInt8(ascii: ":")) }

    public mutating func int(_ value: Int64) { separate(); bytes.append(contentsOf: String(value).utf8); needsComma = true }
    public mutating func double(_ value: Double) {
        separate()
        if value.rounded() == value, abs(value) < 1e15 { bytes.append(contentsOf: String(Int64(value)).utf8) }
        else if value.isFinite { bytes.append(contentsOf: "\(value)".utf8) }
        else { bytes.append(contentsOf: "null".utf8) }
        needsComma = true
    }
    public mutating func bool(_ value: Bool) { separate(); bytes.append(contentsOf: (value ? "true" : "false").utf8); needsComma = true }
    public mutating func null() { separate(); bytes.append(contentsOf: "null".utf8); needsComma = true }
    public mutating func raw(_ json: String?) {
        guard let json else { null(); return }
        separate()
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    public mutating func array<T: JSONWritable>(_ items: [T]) {
        arrayStart()
        for item in items { item.write(to: &self) }
        arrayEnd()
    }
}

/// A value that writes itself as JSON.
public protocol JSONWritable {
    func write(to writer: inout JSONWriter)
}

extension JSONWritable {
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        write(to: &writer)
        return writer.bytes
    }

    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }
}

extension String: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.string(self) }
}

extension Array: JSONWritable where Element: JSONWritable {
    public func write(to writer: inout JSONWriter) { writer.array(self) }
}
