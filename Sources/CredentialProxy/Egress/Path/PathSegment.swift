import Core
import HTTP

/// One segment of a path between raw slashes, brought to the form rules compare.
enum PathSegment {
    /// The segment with unreserved escapes decoded and the others upper-cased; throws for any
    /// form a server might read as a separator, a terminator or a dot segment.
    static func canonical(_ raw: some Collection<UInt8>) throws(PathRefusal) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var bytes = raw.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else {
                guard isPathCharacter(byte) else { throw .invalidCharacter(byte) }
                out.append(byte)
                continue
            }
            guard let high = bytes.next().flatMap(Crypto.hexDigitValue), let low = bytes.next().flatMap(Crypto.hexDigitValue) else {
                throw .malformedEscape
            }
            let decoded = high << 4 | low
            switch decoded {
            case UInt8(ascii: "/"): throw .encodedSeparator("%2F")
            case UInt8(ascii: "\\"): throw .encodedSeparator("%5C")
            case 0: throw .encodedNUL
            case _ where isUnreserved(decoded): out.append(decoded)
            default: out.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(high)], hexDigits[Int(low)]])
            }
        }
        try refuseDoubleEncoding(out)
        let segment = String(decoding: out, as: UTF8.self)
        guard let decoded = PercentDecoding.decode(segment) else { throw .invalidUTF8 }
        try refuseDotSegmentWithParameters(segment: segment, decoded: decoded)
        return segment
    }

    /// `%25` followed by two hex digits: one decode gives an escape, a second gives anything.
    /// Checked after unreserved escapes are decoded, so `%25%32%65` is caught as well.
    private static func refuseDoubleEncoding(_ out: [UInt8]) throws(PathRefusal) {
        var i = 0
        while i + 4 < out.count {
            if out[i] == UInt8(ascii: "%"), out[i + 1] == UInt8(ascii: "2"), out[i + 2] == UInt8(ascii: "5"),
               Crypto.hexDigitValue(out[i + 3]) != nil, Crypto.hexDigitValue(out[i + 4]) != nil {
                throw .doubleEncoding
            }
            i += 1
        }
    }

    /// `..;jsessionid=x` is `..` to servers that strip path parameters before resolving.
    private static func refuseDotSegmentWithParameters(segment: String, decoded: String) throws(PathRefusal) {
        guard segment != ".", segment != ".." else { return }
        let beforeParameters = decoded.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if beforeParameters == "." || beforeParameters == ".." { throw .dotSegmentWithParameters }
    }

    /// RFC 3986 `pchar` without `%`: unreserved, sub-delims, `:` and `@`.
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        isUnreserved(byte) || subDelimiters.contains(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@")
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let subDelimiters: Set<UInt8> = Set("!$&'()*+,;=".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

}
