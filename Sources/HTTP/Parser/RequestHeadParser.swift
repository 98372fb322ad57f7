/// Parses a complete request head (request line + header fields + empty line) found by
/// `HeadScanner`, and decides the body framing with the strict rules of RFC 9112 §6.
public struct RequestHeadParser: Sendable {
    public var maxHeaderCount: Int

    public init(maxHeaderCount: Int = 100) { self.maxHeaderCount = maxHeaderCount }

    /// `buf[0..<end]` is the head including its final CRLF CRLF.
    public func parse(_ buf: UnsafeBufferPointer<UInt8>, end: Int) throws(HTTPParseError) -> RequestHead {
        var i = 0
        // Request line: method SP target SP version CRLF
        let methodStart = i
        while i < end, isTokenChar(buf[i]) { i += 1 }
        guard i > methodStart, i < end else { throw .invalidMethod }
        guard buf[i] == ASCII.sp else { throw buf[i] == ASCII.cr ? .invalidRequestLine : .invalidMethod }
        let method = String(decoding: UnsafeBufferPointer(rebasing: buf[methodStart..<i]), as: UTF8.self)
        i += 1
        let targetStart = i
        while i < end, isTargetChar(buf[i]) { i += 1 }
        guard i > targetStart, i < end, buf[i] == ASCII.sp else {
            throw (i < end && buf[i] != ASCII.sp && buf[i] != ASCII.cr) ? .invalidTarget : .invalidRequestLine
        }
        let target = String(decoding: UnsafeBufferPointer(rebasing: buf[targetStart..<i]), as: UTF8.self)
        i += 1
        let version = try parseVersion(buf, at: &i, end: end)

        var headers = HTTPHeaders()
        headers.fields.reserveCapacity(8)
        var hostCount = 0, hostValue = ""
        var contentLength: String?
        var contentLengthCount = 0
        var transferEncodings: [String] = []
        var connectionValues: [String] = []
        var expectValue: String?
        try HeaderFieldParser(maxCount: maxHeaderCount).parse(buf, from: i, to: end - 2, into: &headers) {
            (s, e, value) throws(HTTPParseError) in
            switch e - s {
            case 4 where buf.matchesLowercase(s, e, "host"):
                hostCount += 1; hostValue = value
            case 14 where buf.matchesLowercase(s, e, "content-length"):
                contentLengthCount += 1; contentLength = value
            case 17 where buf.matchesLowercase(s, e, "transfer-encoding"):
                transferEncodings.append(value)
            case 10 where buf.matchesLowercase(s, e, "connection"):
                connectionValues.append(value)
            case 6 where buf.matchesLowercase(s, e, "expect"):
                expectValue = value
            default: break
            }
        }

        if hostCount > 1 { throw .duplicateHost }
        if hostCount == 0 && version == .http1_1 { throw .missingHost }
        if hostCount == 1, !hostValue.utf8.allSatisfy(isHostChar) { throw .invalidHost }

        let framing = try Self.framing(contentLength: contentLength, contentLengthCount: contentLengthCount,
                                       transferEncodings: transferEncodings, version: version)
        let connection = connectionValues.flatMap { $0.split(separator: ",").map { $0.trimmingOWS().lowercased() } }
        let keepAlive = version == .http1_1
            ? !connection.contains("close")
            : connection.contains("keep-alive") && !connection.contains("close")

        var expectsContinue = false
        if let expect = expectValue {
            guard expect.lowercased() == "100-continue" else { throw .unsupportedExpectation }
            expectsContinue = version == .http1_1
        }

        let form = try Self.targetForm(method: method, target: target)
        return RequestHead(method: method, target: target, version: version, headers: headers,
                           framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue,
                           targetForm: form)
    }

    private func parseVersion(_ buf: UnsafeBufferPointer<UInt8>, at i: inout Int, end: Int) throws(HTTPParseError) -> HTTPVersion {
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3), then CRLF.
        guard i + 10 <= end, buf[i] == 0x48, buf[i + 1] == 0x54, buf[i + 2] == 0x54, buf[i + 3] == 0x50,
              buf[i + 4] == ASCII.slash, buf[i + 5] >= 0x30, buf[i + 5] <= 0x39,
              buf[i + 6] == UInt8(ascii: "."), buf[i + 7] >= 0x30, buf[i + 7] <= 0x39,
              buf[i + 8] == ASCII.cr
        else { throw .invalidVersion }
        let major = Int(buf[i + 5] - 0x30), minor = Int(buf[i + 7] - 0x30)
        i += 10
        guard major == 1 else { throw .unsupportedVersion }
        // A higher 1.x minor version is compatible with 1.1 (RFC 9110 §2.5).
        return minor == 0 ? .http1_0 : .http1_1
    }

    static func framing(contentLength: String?, contentLengthCount: Int, transferEncodings: [String],
                        version: HTTPVersion) throws(HTTPParseError) -> BodyFraming {
        if !transferEncodings.isEmpty {
            if contentLengthCount > 0 { throw .contentLengthWithTransferEncoding }
            if version == .http1_0 { throw .transferEncodingInHTTP10 }
            var codings: [String] = []
            for value in transferEncodings {
                for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let coding = element.trimmingOWS()
                    if coding.isEmpty { continue }
                    guard coding.utf8.allSatisfy(isTokenChar) else { throw .invalidTransferEncoding }
                    codings.append(coding.lowercased())
                }
            }
            // chunked present but not last: the length is unknowable, 400 (RFC 9112 §6.3, a MUST).
            // Otherwise a coding we do not implement is 501 (§6.1).
            if codings.contains("chunked") && codings.last != "chunked" { throw .invalidTransferEncoding }
            if let unknown = codings.first(where: { $0 != "chunked" }) { throw .unsupportedTransferCoding(unknown) }
            guard codings.count == 1 else { throw .invalidTransferEncoding }
            return .chunked
        }
        if contentLengthCount > 1 { throw .duplicateContentLength }
        if let value = contentLength {
            guard let length = parseContentLength(value) else { throw .invalidContentLength }
            return length == 0 ? .none : .length(length)
        }
        return .none
    }

    static func parseContentLength(_ value: String) -> Int? {
        guard !value.isEmpty, value.utf8.count <= 18 else { return nil }
        var n = 0
        for c in value.utf8 {
            guard c >= 0x30, c <= 0x39 else { return nil }
            n = n * 10 + Int(c - 0x30)
        }
        return n
    }

    static func targetForm(method: String, target: String) throws(HTTPParseError) -> RequestTarget {
        let bytes = target.utf8
        if method == "CONNECT" {
            // authority-form: host:port, nothing else (RFC 9112 §3.2.3)
            guard let colon = target.lastIndex(of: ":"), colon != target.startIndex,
                  let port = Int(target[target.index(after: colon)...]), port > 0, port < 65536,
                  bytes.allSatisfy(isHostChar)
            else { throw .invalidTarget }
            return .authority(target)
        }
        if bytes.first == ASCII.slash {
            return splitPathQuery(target[...]).map { .origin(path: $0.0, query: $0.1) }!
        }
        if target == "*" {
            guard method == "OPTIONS" else { throw .invalidTarget }
            return .asterisk
        }
        let lower = target.prefix(8).lowercased()
        let scheme: String
        if lower.hasPrefix("http://") { scheme = "http" } else if lower.hasPrefix("https://") { scheme = "https" } else {
            throw .invalidTarget
        }
        let rest = target.dropFirst(scheme.count + 3)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.isEmpty, !authority.contains("@"), authority.utf8.allSatisfy(isHostChar) else {
            throw .invalidTarget
        }
        var remainder = rest[authorityEnd...]
        if let hash = remainder.firstIndex(of: "#") { remainder = remainder[..<hash] }
        let (path, query) = splitPathQuery(remainder)!
        return .absolute(scheme: scheme, authority: authority, path: path.isEmpty ? "/" : path, query: query)
    }

    private static func splitPathQuery(_ s: Substring) -> (String, String?)? {
        if let q = s.utf8.firstIndex(of: UInt8(ascii: "?")) {
            return (String(s[..<q]), String(s[s.index(after: q)...]))
        }
        return (String(s), nil)
    }
}
