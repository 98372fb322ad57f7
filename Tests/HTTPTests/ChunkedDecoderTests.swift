import Testing
@testable import HTTP

/// Feeds `pieces` to a fresh decoder in order, the way the server does: each piece is
/// offered until the decoder stops consuming it (which only happens once it is complete).
struct ChunkedRun {
    var decoder: ChunkedDecoder
    var body: [UInt8] = []
    /// Bytes left over after the message ended (pipelined data).
    var leftover: [UInt8] = []

    init(maxBodySize: Int = 1 << 20, maxTrailerSize: Int = 8192, maxHeaderCount: Int = 100) {
        decoder = ChunkedDecoder(maxBodySize: maxBodySize, maxTrailerSize: maxTrailerSize, maxHeaderCount: maxHeaderCount)
    }

    mutating func feed(_ piece: [UInt8]) throws(HTTPParseError) {
        var offset = 0
        while offset < piece.count {
            let rest = Array(piece[offset...])
            let consumed = try rest.withUnsafeBufferPointer { buf throws(HTTPParseError) in
                try decoder.decode(buf, into: &body)
            }
            offset += consumed
            if decoder.isComplete {
                leftover += piece[offset...]
                return
            }
            // An incomplete decoder must take everything it is given.
            guard consumed == rest.count else { throw .invalidChunk }
        }
    }
}

func decodeChunked(_ text: String, maxBodySize: Int = 1 << 20, maxTrailerSize: Int = 8192,
                   maxHeaderCount: Int = 100) -> Result<ChunkedRun, HTTPParseError> {
    var run = ChunkedRun(maxBodySize: maxBodySize, maxTrailerSize: maxTrailerSize, maxHeaderCount: maxHeaderCount)
    do throws(HTTPParseError) {
        try run.feed(Array(text.utf8))
        return .success(run)
    } catch {
        return .failure(error)
    }
}

extension Result {
    var failure: Failure? { if case .failure(let e) = self { return e }; return nil }
    var success: Success? { if case .success(let s) = self { return s }; return nil }
}

@Suite("Chunked decoder")
struct ChunkedDecoderTests {
    @Test func simpleBody() throws {
        let run = try #require(decodeChunked("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").success)
        #expect(run.decoder.isComplete)
        #expect(String(decoding: run.body, as: UTF8.self) == "hello world")
        #expect(run.decoder.bodySize == 11)
        #expect(run.decoder.trailers.count == 0)
        #expect(run.leftover.isEmpty)
    }

    @Test func hexSizesInBothCases() throws {
        let data = String(repeating: "x", count: 26)
        let run = try #require(decodeChunked("1a\r\n\(data)\r\n1A\r\n\(data)\r\n000\r\n\r\n").success)
        #expect(run.body.count == 52)
        #expect(run.decoder.isComplete)
    }

    @Test func stopsAtTheEndAndLeavesPipelinedBytes() throws {
        let run = try #require(decodeChunked("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n").success)
        #expect(String(decoding: run.body, as: UTF8.self) == "abc")
        #expect(String(decoding: run.leftover, as: UTF8.self) == "GET / HTTP/1.1\r\n")
    }

    @Test func incompleteIsNotComplete() throws {
        let run = try #require(decodeChunked("5\r\nhel").success)
        #expect(!run.decoder.isComplete)
        #expect(String(decoding: run.body, as: UTF8.self) == "hel")
        let noTerminator = try #require(decodeChunked("5\r\nhello\r\n0\r\n").success)
        #expect(!noTerminator.decoder.isComplete)
    }

    @Test func extensionsAreAcceptedAndIgnored() throws {
        let run = try #require(decodeChunked("5;name=value;x=\"q s\"\r\nhello\r\n3 ; a=b\r\nabc\r\n0;last\r\n\r\n").success)
        #expect(String(decoding: run.body, as: UTF8.self) == "helloabc")
        #expect(run.decoder.isComplete)
    }

    @Test func extensionWithControlCharacterIsRejected() {
        #expect(decodeChunked("5;a=\u{01}\r\nhello\r\n0\r\n\r\n").failure == .invalidChunk)
    }

    @Test func overlongExtensionIsRejected() {
        let ext = ";" + String(repeating: "a", count: ChunkedDecoder.maxSizeLine + 10)
        #expect(decodeChunked("5\(ext)\r\nhello\r\n0\r\n\r\n").failure == .invalidChunk)
    }

    @Test func trailersAreKept() throws {
        let run = try #require(decodeChunked("4\r\ndata\r\n0\r\nX-Trailer: yes\r\nX-Checksum:  abc123 \r\n\r\n").success)
        #expect(run.decoder.isComplete)
        #expect(String(decoding: run.body, as: UTF8.self) == "data")
        #expect(run.decoder.trailers["X-Trailer"] == "yes")
        #expect(run.decoder.trailers["x-checksum"] == "abc123")
        #expect(run.decoder.trailers.count == 2)
    }

    @Test func everySplitPointDecodesTheSame() throws {
        let text = Array("5;ext=\"a b\"\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t1\r\nX-B: 2\r\n\r\n".utf8)
        for k in 0...text.count {
            var run = ChunkedRun()
            try run.feed(Array(text[0..<k]))
            try run.feed(Array(text[k...]))
            #expect(run.decoder.isComplete, "split at \(k)")
            #expect(String(decoding: run.body, as: UTF8.self) == "hello0123456789abcdef", "split at \(k)")
            #expect(run.decoder.trailers["X-Trailer"] == "t1", "split at \(k)")
            #expect(run.leftover.isEmpty, "split at \(k)")
        }
    }

    @Test func oneByteAtATime() throws {
        let text = Array("3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nX-Trailer: z\r\n\r\n".utf8)
        var run = ChunkedRun()
        for byte in text { try run.feed([byte]) }
        #expect(run.decoder.isComplete)
        #expect(String(decoding: run.body, as: UTF8.self) == "abcde")
        #expect(run.decoder.trailers["X-Trailer"] == "z")
    }

    @Test("chunk size overflow", arguments: ["FFFFFFFFFFFFFFFF", "7FFFFFFFFFFFFFFF", "10000000000000000"])
    func sizeOverflow(_ size: String) {
        #expect(decodeChunked("\(size)\r\nabc\r\n0\r\n\r\n").failure == .invalidChunk)
    }

    @Test func largeButRepresentableSizeHitsTheBodyLimit() {
        #expect(decodeChunked("FFFFFFFFFFFFFFF\r\nabc", maxBodySize: 1 << 20).failure == .bodyTooLarge)
    }

    @Test func missingCRLFAfterData() {
        #expect(decodeChunked("5\r\nhelloX\r\n0\r\n\r\n").failure == .invalidChunk)
        #expect(decodeChunked("5\r\nhello\rX0\r\n\r\n").failure == .invalidChunk)
        #expect(decodeChunked("5\r\nhello\n0\r\n\r\n").failure == .invalidChunk)
        #expect(decodeChunked("5\r\nhello0\r\n\r\n").failure == .invalidChunk)
    }

    @Test func bodyLimit() {
        #expect(decodeChunked("b\r\nhello world\r\n0\r\n\r\n", maxBodySize: 10).failure == .bodyTooLarge)
        // Two chunks that only together exceed it.
        #expect(decodeChunked("6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", maxBodySize: 10).failure == .bodyTooLarge)
        // Exactly at the limit is fine.
        #expect(decodeChunked("a\r\n0123456789\r\n0\r\n\r\n", maxBodySize: 10).success?.decoder.isComplete == true)
        #expect(HTTPParseError.bodyTooLarge.status.code == 413)
    }

    @Test("invalid chunk size line", arguments: ["g\r\n", "\r\n", "-1\r\n", " 5\r\n", "0x5\r\n", "5\n", ";a\r\n", "5\rX"])
    func invalidSizeLine(_ text: String) {
        #expect(decodeChunked(text + "hello\r\n0\r\n\r\n").failure == .invalidChunk)
    }

    @Test func trailerSyntaxIsChecked() {
        #expect(decodeChunked("0\r\nX-A: a\r\n b\r\n\r\n").failure == .obsoleteLineFolding)
        #expect(decodeChunked("0\r\nBad Name: a\r\n\r\n").failure == .invalidHeaderName)
        #expect(decodeChunked("0\r\nX-A: a\u{01}\r\n\r\n").failure == .invalidHeaderValue)
        #expect(decodeChunked("0\r\nX-A: a\rb\r\n\r\n").failure == .bareCR)
        #expect(decodeChunked("0\r\nX-A: a\n\r\n").failure == .bareLF)
        #expect(decodeChunked("0\r\n\n").failure == .bareLF)
    }

    @Test func trailerLimits() {
        let big = "0\r\nX-Big: " + String(repeating: "a", count: 200) + "\r\n\r\n"
        #expect(decodeChunked(big, maxTrailerSize: 100).failure == .trailersTooLarge)
        #expect(HTTPParseError.trailersTooLarge.status.code == 431)
        let many = "0\r\n" + (0..<5).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        #expect(decodeChunked(many, maxHeaderCount: 3).failure == .tooManyHeaders)
        #expect(decodeChunked(many, maxHeaderCount: 5).success?.decoder.trailers.count == 5)
    }
}
