import Testing
@testable import HTTP

/// What scanning and parsing one head produced.
enum ParseOutcome {
    case head(RequestHead)
    case failed(HTTPParseError)
    case incomplete

    var error: HTTPParseError? { if case .failed(let e) = self { return e }; return nil }
    var head: RequestHead? { if case .head(let h) = self { return h }; return nil }
}

/// Runs `HeadScanner` then `RequestHeadParser` over `bytes`, as the server does.
func parseHead(_ bytes: [UInt8], limit: Int = 16 * 1024, maxHeaderCount: Int = 100) -> ParseOutcome {
    bytes.withUnsafeBufferPointer { buf in
        var scanner = HeadScanner()
        do throws(HTTPParseError) {
            switch try scanner.scan(buf, limit: limit) {
            case .incomplete:
                return .incomplete
            case .complete(let end):
                return .head(try RequestHeadParser(maxHeaderCount: maxHeaderCount).parse(buf, end: end))
            }
        } catch {
            return .failed(error)
        }
    }
}

func parseHead(_ text: String, limit: Int = 16 * 1024, maxHeaderCount: Int = 100) -> ParseOutcome {
    parseHead(Array(text.utf8), limit: limit, maxHeaderCount: maxHeaderCount)
}

/// A GET to `/` on HTTP/1.1 with a Host and `extra` header lines (each ending in CRLF).
func request(_ extra: String = "", method: String = "GET", target: String = "/", version: String = "HTTP/1.1",
             host: Bool = true) -> String {
    "\(method) \(target) \(version)\r\n" + (host ? "Host: example.com\r\n" : "") + extra + "\r\n"
}

@Suite("Request head parser")
struct ParserTests {
    // MARK: valid requests

    @Test func originFormWithQuery() throws {
        let head = try #require(parseHead(request(target: "/items/42?x=1&y=2")).head)
        #expect(head.method == "GET")
        #expect(head.target == "/items/42?x=1&y=2")
        #expect(head.targetForm == .origin(path: "/items/42", query: "x=1&y=2"))
        #expect(head.version == .http1_1)
        #expect(head.framing == .none)
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
        #expect(head.headers["host"] == "example.com")
    }

    @Test func originFormWithoutQuery() throws {
        let head = try #require(parseHead(request(target: "/a/b")).head)
        #expect(head.targetForm == .origin(path: "/a/b", query: nil))
    }

    @Test func absoluteForm() throws {
        let head = try #require(parseHead(request(target: "http://upstream.test:8080/p?q")).head)
        #expect(head.targetForm == .absolute(scheme: "http", authority: "upstream.test:8080", path: "/p", query: "q"))
        #expect(head.targetForm.authority == "upstream.test:8080")
        let bare = try #require(parseHead(request(target: "https://host")).head)
        #expect(bare.targetForm == .absolute(scheme: "https", authority: "host", path: "/", query: nil))
    }

    @Test func absoluteFormRejectsUserinfoAndOtherSchemes() {
        #expect(parseHead(request(target: "http://user@host/p")).error == .invalidTarget)
        #expect(parseHead(request(target: "ftp://host/p")).error == .invalidTarget)
        #expect(parseHead(request(target: "http:///p")).error == .invalidTarget)
    }

    @Test func authorityFormForConnect() throws {
        let head = try #require(parseHead(request(method: "CONNECT", target: "api.example.com:443")).head)
        #expect(head.targetForm == .authority("api.example.com:443"))
        #expect(head.method == "CONNECT")
    }

    @Test func connectNeedsAuthorityForm() {
        #expect(parseHead(request(method: "CONNECT", target: "/path")).error == .invalidTarget)
        #expect(parseHead(request(method: "CONNECT", target: "http://host:443/")).error == .invalidTarget)
        #expect(parseHead(request(method: "CONNECT", target: "host")).error == .invalidTarget)
        #expect(parseHead(request(method: "CONNECT", target: "host:0")).error == .invalidTarget)
        #expect(parseHead(request(method: "CONNECT", target: "host:99999")).error == .invalidTarget)
    }

    @Test func asteriskFormForOptions() throws {
        let head = try #require(parseHead(request(method: "OPTIONS", target: "*")).head)
        #expect(head.targetForm == .asterisk)
        #expect(parseHead(request(method: "GET", target: "*")).error == .invalidTarget)
    }

    @Test func contentLengthFraming() throws {
        let head = try #require(parseHead(request("Content-Length: 12\r\n", method: "POST")).head)
        #expect(head.framing == .length(12))
        let zero = try #require(parseHead(request("Content-Length: 0\r\n", method: "POST")).head)
        #expect(zero.framing == .none)
        let padded = try #require(parseHead(request("Content-Length:  7 \t\r\n", method: "POST")).head)
        #expect(padded.framing == .length(7))
    }

    @Test func chunkedFraming() throws {
        let head = try #require(parseHead(request("Transfer-Encoding: chunked\r\n", method: "POST")).head)
        #expect(head.framing == .chunked)
        let mixedCase = try #require(parseHead(request("transfer-encoding: Chunked\r\n", method: "POST")).head)
        #expect(mixedCase.framing == .chunked)
    }

    @Test func keepAliveRules() throws {
        #expect(try #require(parseHead(request()).head).keepAlive)
        #expect(try #require(parseHead(request("Connection: close\r\n")).head).keepAlive == false)
        #expect(try #require(parseHead(request("Connection: Keep-Alive, Close\r\n")).head).keepAlive == false)
        #expect(try #require(parseHead(request(version: "HTTP/1.0", host: false)).head).keepAlive == false)
        let ka10 = try #require(parseHead(request("Connection: keep-alive\r\n", version: "HTTP/1.0", host: false)).head)
        #expect(ka10.keepAlive)
        #expect(ka10.version == .http1_0)
    }

    @Test func http10DoesNotNeedHost() throws {
        let head = try #require(parseHead(request(version: "HTTP/1.0", host: false)).head)
        #expect(head.version == .http1_0)
    }

    @Test func expectContinue() throws {
        let head = try #require(parseHead(request("Content-Length: 3\r\nExpect: 100-Continue\r\n", method: "PUT")).head)
        #expect(head.expectsContinue)
    }

    @Test func headerNamesKeepCaseAndValuesAreTrimmed() throws {
        let head = try #require(parseHead(request("X-Custom-Thing:   spaced value \t\r\nx-empty:\r\n")).head)
        #expect(head.headers.fields.contains { $0.name == "X-Custom-Thing" && $0.value == "spaced value" })
        #expect(head.headers["X-EMPTY"] == "")
    }

    @Test func obsTextIsAllowedInValues() throws {
        var bytes = Array(request().utf8)
        bytes.removeLast(2)
        bytes += Array("X-Latin: caf".utf8) + [0xC3, 0xA9] + [13, 10, 13, 10]
        #expect(parseHead(bytes).head != nil)
    }

    @Test func leadingEmptyLinesAreCounted() {
        let bytes = Array("\r\n\r\nGET / HTTP/1.1\r\n".utf8)
        #expect(bytes.withUnsafeBufferPointer { HeadScanner.leadingEmptyLines($0) } == 4)
    }

    // MARK: framing rejections

    @Test func contentLengthWithTransferEncoding() {
        let outcome = parseHead(request("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", method: "POST"))
        #expect(outcome.error == .contentLengthWithTransferEncoding)
        let reversed = parseHead(request("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", method: "POST"))
        #expect(reversed.error == .contentLengthWithTransferEncoding)
        #expect(HTTPParseError.contentLengthWithTransferEncoding.status == .badRequest)
    }

    @Test func duplicateContentLengthEvenWhenEqual() {
        #expect(parseHead(request("Content-Length: 5\r\nContent-Length: 5\r\n", method: "POST")).error
                == .duplicateContentLength)
        #expect(parseHead(request("Content-Length: 5\r\nContent-Length: 6\r\n", method: "POST")).error
                == .duplicateContentLength)
        // A list in one field is malformed too.
        let list = parseHead(request("Content-Length: 5, 5\r\n", method: "POST")).error
        #expect(list == .invalidContentLength || list == .duplicateContentLength)
    }

    @Test("malformed Content-Length", arguments: ["-1", "1a", "+5", "", "12345678901234567890", "0x10", "5 5", "1_000"])
    func badContentLength(_ value: String) {
        #expect(parseHead(request("Content-Length: \(value)\r\n", method: "POST")).error == .invalidContentLength)
    }

    @Test func unknownTransferCodingIs501() {
        let error = parseHead(request("Transfer-Encoding: gzip\r\n", method: "POST")).error
        #expect(error == .unsupportedTransferCoding("gzip"))
        #expect(error?.status == .notImplemented)
        #expect(error?.status.code == 501)
        #expect(parseHead(request("Transfer-Encoding: gzip, chunked\r\n", method: "POST")).error
                == .unsupportedTransferCoding("gzip"))
    }

    @Test func chunkedTwiceIsRejected() {
        #expect(parseHead(request("Transfer-Encoding: chunked, chunked\r\n", method: "POST")).error
                == .invalidTransferEncoding)
        #expect(parseHead(request("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", method: "POST")).error
                == .invalidTransferEncoding)
        #expect(HTTPParseError.invalidTransferEncoding.status == .badRequest)
    }

    /// RFC 9112 §6.3 (4): when chunked is not the final coding of a request, the server
    /// MUST answer 400 and close. SPEC §2 asks for 400 for non-final codings as well.
    @Test func chunkedNotFinalIs400() {
        let error = parseHead(request("Transfer-Encoding: chunked, gzip\r\n", method: "POST")).error
        #expect(error != nil)
        #expect(error?.status == .badRequest, "chunked, gzip must be 400 (chunked not final), got \(String(describing: error))")
    }

    @Test func emptyTransferEncodingIsRejected() {
        #expect(parseHead(request("Transfer-Encoding: \r\n", method: "POST")).error == .invalidTransferEncoding)
        #expect(parseHead(request("Transfer-Encoding: chunked;q=1\r\n", method: "POST")).error == .invalidTransferEncoding)
    }

    @Test func transferEncodingOnHTTP10() {
        #expect(parseHead(request("Transfer-Encoding: chunked\r\n", method: "POST", version: "HTTP/1.0")).error
                == .transferEncodingInHTTP10)
    }

    // MARK: line and field syntax

    @Test func obsFold() {
        #expect(parseHead(request("X-A: one\r\n two\r\n")).error == .obsoleteLineFolding)
        #expect(parseHead(request("X-A: one\r\n\ttwo\r\n")).error == .obsoleteLineFolding)
        // A fold right after the request line is the same thing.
        #expect(parseHead("GET / HTTP/1.1\r\n Host: example.com\r\n\r\n").error == .obsoleteLineFolding)
    }

    @Test func bareCR() {
        #expect(parseHead(request("X-A: a\rb\r\n")).error == .bareCR)
        #expect(parseHead("GET / HTTP/1.1\rHost: example.com\r\n\r\n").error == .bareCR)
        #expect(parseHead("GET /\r HTTP/1.1\r\nHost: example.com\r\n\r\n").error == .bareCR)
    }

    @Test func bareLF() {
        #expect(parseHead("GET / HTTP/1.1\nHost: example.com\r\n\r\n").error == .bareLF)
        #expect(parseHead(request("X-A: a\n")).error == .bareLF)
        #expect(parseHead("GET / HTTP/1.1\r\nHost: example.com\r\n\n").error == .bareLF)
        #expect(parseHead("\nGET / HTTP/1.1\r\n").error == .bareLF)
    }

    @Test func bareCRIsCaughtWhenItsNextByteArrives() {
        // A CR at the very end may still be followed by LF; the scanner waits for the next byte.
        var scanner = HeadScanner()
        let first = Array("GET / HTTP/1.1\r\nX: a\r".utf8)
        let outcome = first.withUnsafeBufferPointer { try? scanner.scan($0, limit: 1024) }
        #expect(outcome == .incomplete)
        let more = first + Array("b\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.bareCR) {
            try more.withUnsafeBufferPointer { buf throws(HTTPParseError) in _ = try scanner.scan(buf, limit: 1024) }
        }
    }

    @Test func spaceBeforeColon() {
        #expect(parseHead("GET / HTTP/1.1\r\nHost : example.com\r\n\r\n").error == .invalidHeaderName)
        #expect(parseHead(request("X-A\t: b\r\n")).error == .invalidHeaderName)
    }

    @Test("invalid header name", arguments: ["X(a): b", "X\"y: b", "X/y: b", "X y: b", ": b", "X@: b", "[x]: b", "X=1: b"])
    func invalidHeaderName(_ line: String) {
        #expect(parseHead(request(line + "\r\n")).error == .invalidHeaderName)
    }

    @Test func nonASCIIHeaderName() {
        var bytes = Array(request().utf8)
        bytes.removeLast(2)
        bytes += [0x58, 0xC3, 0xA9, 0x3A, 0x20, 0x61, 13, 10, 13, 10] // "Xé: a"
        #expect(parseHead(bytes).error == .invalidHeaderName)
    }

    @Test func headerLineWithoutColon() {
        #expect(parseHead(request("NoColonHere\r\n")).error == .invalidHeaderName)
    }

    @Test("control character in value", arguments: [UInt8(0), 1, 8, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F])
    func controlCharInValue(_ c: UInt8) {
        var bytes = Array(request().utf8)
        bytes.removeLast(2)
        bytes += Array("X-A: a".utf8) + [c] + Array("b\r\n\r\n".utf8)
        #expect(parseHead(bytes).error == .invalidHeaderValue)
    }

    @Test func tabInValueIsFine() throws {
        let head = try #require(parseHead(request("X-A: a\tb\r\n")).head)
        #expect(head.headers["X-A"] == "a\tb")
    }

    // MARK: Host

    @Test func missingHostOnHTTP11() {
        let error = parseHead(request(host: false)).error
        #expect(error == .missingHost)
        #expect(error?.status == .badRequest)
    }

    @Test func doubleHost() {
        #expect(parseHead(request("Host: example.com\r\n")).error == .duplicateHost)
        #expect(parseHead(request("host: other.test\r\n")).error == .duplicateHost)
        #expect(parseHead(request("Host: other.test\r\n", version: "HTTP/1.0", host: false)).head != nil)
        #expect(parseHead("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n").error == .duplicateHost)
    }

    @Test func invalidHostValue() {
        #expect(parseHead("GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n").error == .invalidHost)
        #expect(parseHead("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n").error == .invalidHost)
        #expect(parseHead("GET / HTTP/1.1\r\nHost: user@host\r\n\r\n").error == .invalidHost)
        // An empty Host is allowed by RFC 9112 §3.2 (no authority in the target URI).
        #expect(parseHead("GET / HTTP/1.1\r\nHost:\r\n\r\n").head != nil)
    }

    // MARK: request line

    @Test func versions() throws {
        let http2 = parseHead(request(version: "HTTP/2.0")).error
        #expect(http2 == .unsupportedVersion)
        #expect(http2?.status == .versionNotSupported)
        #expect(http2?.status.code == 505)
        #expect(parseHead(request(version: "HTTP/0.9")).error == .unsupportedVersion)
        #expect(parseHead(request(version: "http/1.1")).error == .invalidVersion)
        #expect(parseHead(request(version: "HTTP/1.10")).error == .invalidVersion)
        #expect(parseHead(request(version: "HTTP/1")).error == .invalidVersion)
        #expect(parseHead(request(version: "HTTP/1.1 ")).error == .invalidVersion)
        // A higher 1.x minor is handled as 1.1.
        #expect(try #require(parseHead(request(version: "HTTP/1.2")).head).version == .http1_1)
    }

    @Test func malformedRequestLines() {
        #expect(parseHead("GET /\r\nHost: a\r\n\r\n").error != nil)
        #expect(parseHead("GET  / HTTP/1.1\r\nHost: a\r\n\r\n").error != nil)
        #expect(parseHead("G(T / HTTP/1.1\r\nHost: a\r\n\r\n").error == .invalidMethod)
        #expect(parseHead(" GET / HTTP/1.1\r\nHost: a\r\n\r\n").error == .invalidMethod)
        #expect(parseHead("GET\r\nHost: a\r\n\r\n").error == .invalidRequestLine)
        #expect(parseHead("GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n").error == .invalidTarget)
        #expect(parseHead(request(target: "relative/path")).error == .invalidTarget)
    }

    // MARK: limits

    @Test func tooManyHeaders() {
        let extra = (0..<11).map { "X-\($0): v\r\n" }.joined()
        let error = parseHead(request(extra), maxHeaderCount: 10).error
        #expect(error == .tooManyHeaders)
        #expect(error?.status == .headersTooLarge)
        #expect(error?.status.code == 431)
        // Exactly at the limit is fine (Host + 9).
        let fits = (0..<9).map { "X-\($0): v\r\n" }.joined()
        #expect(parseHead(request(fits), maxHeaderCount: 10).head != nil)
    }

    @Test func headTooLargeWhenComplete() {
        let big = request("X-Big: " + String(repeating: "a", count: 2000) + "\r\n")
        let error = parseHead(big, limit: 1024).error
        #expect(error == .headersTooLarge)
        #expect(error?.status.code == 431)
        #expect(parseHead(big, limit: 4096).head != nil)
    }

    @Test func headTooLargeBeforeItEnds() {
        // No end in sight and already over the limit: rejected without waiting for more.
        let partial = "GET / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 2000)
        #expect(parseHead(partial, limit: 1024).error == .headersTooLarge)
        #expect(parseHead(partial, limit: 4096).error == nil)
    }

    @Test func unsupportedExpectation() {
        let error = parseHead(request("Expect: something-else\r\n")).error
        #expect(error == .unsupportedExpectation)
        #expect(error?.status == .expectationFailed)
        #expect(error?.status.code == 417)
    }

    // MARK: scanning in pieces

    @Test func scannerFindsTheEndAcrossEveryPieceSize() throws {
        let text = Array(request("Content-Length: 5\r\nX-A: b\r\n", method: "POST").utf8)
        for k in 1..<text.count {
            var scanner = HeadScanner()
            let first = try Array(text[0..<k]).withUnsafeBufferPointer { buf throws(HTTPParseError) in
                try scanner.scan(buf, limit: 4096)
            }
            #expect(first == .incomplete, "split at \(k)")
            let all = try text.withUnsafeBufferPointer { buf throws(HTTPParseError) in try scanner.scan(buf, limit: 4096) }
            #expect(all == .complete(end: text.count), "split at \(k)")
        }
    }

    @Test func scannerStopsAtTheFirstHead() throws {
        let two = Array((request() + request(target: "/second")).utf8)
        var scanner = HeadScanner()
        let outcome = try two.withUnsafeBufferPointer { buf throws(HTTPParseError) in try scanner.scan(buf, limit: 4096) }
        #expect(outcome == .complete(end: request().utf8.count))
    }

    @Test func everyParseErrorHasAnEnvelopeCode() {
        let all: [HTTPParseError] = [
            .headersTooLarge, .tooManyHeaders, .bareCR, .bareLF, .invalidRequestLine, .invalidMethod, .invalidTarget,
            .invalidVersion, .unsupportedVersion, .invalidHeaderName, .invalidHeaderValue, .obsoleteLineFolding,
            .missingHost, .duplicateHost, .invalidHost, .contentLengthWithTransferEncoding, .duplicateContentLength,
            .invalidContentLength, .unsupportedTransferCoding("x"), .invalidTransferEncoding,
            .transferEncodingInHTTP10, .bodyTooLarge, .invalidChunk, .trailersTooLarge, .unsupportedExpectation,
            .invalidStatusLine,
        ]
        #expect(Set(all.map(\.code)).count == all.count)
        for error in all {
            #expect(!error.message.isEmpty)
            #expect(error.status.code >= 400 && error.status.code < 600)
        }
        #expect(HTTPParseError.bodyTooLarge.status.code == 413)
    }
}
