/// One Server-Sent Event: its type (`message` when unnamed) and its data lines joined by `\n`.
public struct SSEEvent: Sendable, Equatable {
    public var event: String
    public var data: String

    public init(event: String = "message", data: String) {
        self.event = event
        self.data = data
    }
}

/// An incremental parser for the `text/event-stream` format (WHATWG HTML §9.2.6): bytes go in as
/// they arrive, split anywhere (even inside a UTF-8 sequence); whole events come out.
public struct SSEParser: Sendable {
    public struct LineTooLong: Error, Sendable {}

    private var line: [UInt8] = []
    private var eventType = ""
    private var dataLines: [String] = []
    private var sawData = false
    /// A CR ended the last line; an LF right after it belongs to the same line ending.
    private var afterCR = false
    private let maxLineBytes: Int

    public init(maxLineBytes: Int = 8 << 20) { self.maxLineBytes = maxLineBytes }

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                afterCR = true
                if let event = endLine() { events.append(event) }
            case 0x0A:
                if let event = endLine() { events.append(event) }
            default:
                guard line.count < maxLineBytes else { throw LineTooLong() }
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else { return dispatch() }
        if line[0] == UInt8(ascii: ":") { return nil } // a comment, e.g. a keep-alive
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex && line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch name {
        case "event": eventType = value
        case "data":
            dataLines.append(value)
            sawData = true
        default: break // id and retry mean nothing to a one-shot response stream
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventType = ""
            dataLines.removeAll()
            sawData = false
        }
        guard sawData else { return nil }
        return SSEEvent(event: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"))
    }
}
