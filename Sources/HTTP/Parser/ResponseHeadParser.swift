/// The parsed status line and headers of a response, with its body framing decided.
public struct ResponseHead: Sendable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var reason: String
    public var headers: HTTPHeaders
    public var framing: BodyFraming
    public var keepAlive: Bool
}

/// Parses a complete response head found by `HeadScanner` (RFC 9112 §4, §6.3).
public struct ResponseHeadParser: Sendable {
    public var maxHeaderCount: Int
    public init(maxHeaderCount: Int = 100) { self.maxHeaderCount = maxHeaderCount }

    /// `requestMethod` matters: a response to HEAD has no body whatever its headers say.
    public func parse(_ buf: UnsafeBufferPointer<UInt8>, end: Int, requestMethod: String) throws(HTTPParseError) -> ResponseHead {
        // "HTTP/1.x" SP 3DIGIT SP reason CRLF
        guard end >= 14, buf[0] == 0x48, buf[1] == 0x54, buf[2] == 0x54, buf[3] == 0x50, buf[4] == ASCII.slash,
              buf[5] == UInt8(ascii: "1"), buf[6] == UInt8(ascii: "."), buf[7] >= 0x30, buf[7] <= 0x39,
              buf[8] == ASCII.sp
        else { throw .invalidStatusLine }
        var code = 0
        for k in 9..<12 {
            guard buf[k] >= 0x30, buf[k] <= 0x39 else { throw .invalidStatusLine }
            code = code * 10 + Int(buf[k] - 0x30)
        }
        guard code >= 100 else { throw .invalidStatusLine }
        var i = 12
        var reasonStart = i
        if buf[i] == ASCII.sp {
            i += 1
            reasonStart = i
            while buf[i] != ASCII.cr {
                guard isFieldValueChar(buf[i]) else { throw .invalidStatusLine }
                i += 1
            }
        } else if buf[i] != ASCII.cr {
            throw .invalidStatusLine
        }
        let reason = String(decoding: UnsafeBufferPointer(rebasing: buf[reasonStart..<i]), as: UTF8.self)
        i += 2
        let version: HTTPVersion = buf[7] == 0x30 ? .http1_0 : .http1_1

        var headers = HTTPHeaders()
        try HeaderFieldParser(maxCount: maxHeaderCount).parse(buf, from: i, to: end - 2, into: &headers) { _, _, _ in }
        let status = HTTPStatus(code)
        let connection = headers.tokens("Connection")
        var keepAlive = version == .http1_1 ? !connection.contains("close") : connection.contains("keep-alive")

        let framing: BodyFraming
        if requestMethod == "HEAD" || code < 200 || code == 204 || code == 304 {
            framing = .none
        } else if requestMethod == "CONNECT" && (200..<300).contains(code) {
            framing = .none
        } else if headers.contains("Transfer-Encoding") {
            // RFC 9112 §6.3: chunked last means chunked; anything else is read until close.
            if headers.tokens("Transfer-Encoding").last == "chunked" {
                framing = .chunked
            } else {
                framing = .untilClose
                keepAlive = false
            }
        } else if let lengths = Optional(headers.values("Content-Length")), !lengths.isEmpty {
            let distinct = Set(lengths.flatMap { $0.split(separator: ",").map { $0.trimmingOWS() } })
            guard distinct.count == 1, let n = RequestHeadParser.parseContentLength(String(distinct.first!)) else {
                throw .invalidContentLength
            }
            framing = n == 0 ? .none : .length(n)
        } else {
            framing = .untilClose
            keepAlive = false
        }
        return ResponseHead(version: version, status: status, reason: reason, headers: headers,
                            framing: framing, keepAlive: keepAlive)
    }
}
