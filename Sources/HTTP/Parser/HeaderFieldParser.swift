/// Parses header field lines, shared by requests, responses and chunked trailers.
/// The input is a complete block of lines, each ending in CRLF, excluding the final empty line.
struct HeaderFieldParser {
    let maxCount: Int

    /// Appends the fields of `buf[start..<end]` to `headers`; calls `inspect` with each
    /// name's byte range so callers can pick out framing headers without re-scanning.
    func parse(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
               into headers: inout HTTPHeaders,
               inspect: (_ nameStart: Int, _ nameEnd: Int, _ value: String) throws(HTTPParseError) -> Void
    ) throws(HTTPParseError) {
        var i = start
        while i < end {
            if isOWS(buf[i]) { throw .obsoleteLineFolding }
            let nameStart = i
            while i < end, isTokenChar(buf[i]) { i += 1 }
            guard i < end, buf[i] == ASCII.colon, i > nameStart else { throw .invalidHeaderName }
            let nameEnd = i
            i += 1
            while i < end, isOWS(buf[i]) { i += 1 }
            let valueStart = i
            while i < end, buf[i] != ASCII.cr {
                guard isFieldValueChar(buf[i]) else { throw .invalidHeaderValue }
                i += 1
            }
            var valueEnd = i
            while valueEnd > valueStart, isOWS(buf[valueEnd - 1]) { valueEnd -= 1 }
            i += 2 // CRLF, guaranteed by the scanner
            if headers.count >= maxCount { throw .tooManyHeaders }
            let name = String(decoding: UnsafeBufferPointer(rebasing: buf[nameStart..<nameEnd]), as: UTF8.self)
            let value = String(decoding: UnsafeBufferPointer(rebasing: buf[valueStart..<valueEnd]), as: UTF8.self)
            try inspect(nameStart, nameEnd, value)
            headers.fields.append((name, value))
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// ASCII case-insensitive comparison of `self[start..<end]` with a lowercase literal.
    @inline(__always)
    func matchesLowercase(_ start: Int, _ end: Int, _ lower: StaticString) -> Bool {
        guard end - start == lower.utf8CodeUnitCount else { return false }
        let p = lower.utf8Start
        for k in 0..<(end - start) where asciiLower(self[start + k]) != p[k] { return false }
        return true
    }
}
