import Testing
@testable import Agent

@Suite struct SSEParserTests {
    static let stream = "event: message_start\ndata: {\"a\":1}\n\n: keep-alive comment\n\ndata: line one\r\ndata:line two\r\n\r\nevent: ping\rdata: π ✓\r\r"

    static let expected = [
        SSEEvent(event: "message_start", data: "{\"a\":1}"),
        SSEEvent(event: "message", data: "line one\nline two"),
        SSEEvent(event: "ping", data: "π ✓"),
    ]

    @Test func parsesAWholeStream() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array(Self.stream.utf8)) == Self.expected)
    }

    /// Every split point, including inside "\r\n" and inside multi-byte UTF-8 sequences.
    @Test func parsesAStreamSplitAnywhere() throws {
        let bytes = Array(Self.stream.utf8)
        for split in 0...bytes.count {
            var parser = SSEParser()
            let events = try parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(events == Self.expected, "split at \(split)")
        }
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in bytes { events += try parser.feed([byte]) }
        #expect(events == Self.expected)
    }

    @Test func anIncompleteEventAtTheEndIsNotDispatched() throws {
        var parser = SSEParser()
        #expect(try parser.feed(Array("data: partial\n".utf8)).isEmpty)
    }

    @Test func refusesEndlessLines() {
        var parser = SSEParser(maxLineBytes: 16)
        #expect(throws: SSEParser.LineTooLong.self) { try parser.feed(Array(String(repeating: "x", count: 17).utf8)) }
    }
}
