/// Why a request path cannot be matched against egress rules. Each case is a form that some
/// upstream server would read differently from how a rule reads it, so the proxy refuses the
/// request instead of guessing which reading the server will pick.
public enum PathRefusal: Error, Sendable, Equatable {
    /// The target does not start with `/` (absolute-form targets are split by the caller).
    case notAbsolute
    /// `#` has no place in a request target.
    case fragment
    /// A raw byte outside RFC 3986's `pchar`: a backslash, a space, a control or a non-ASCII byte.
    case invalidCharacter(UInt8)
    /// `%` not followed by two hex digits.
    case malformedEscape
    /// `%2F` or `%5C`: servers disagree on whether it separates segments.
    case encodedSeparator(String)
    /// `%00`: servers written in C stop reading the path there.
    case encodedNUL
    /// `%25` followed by an escape, such as `%252e`: a server that decodes twice sees `.`.
    case doubleEncoding
    /// The decoded bytes are not UTF-8 (which also rules out overlong forms of `.` and `/`).
    case invalidUTF8
    /// `..;x` or `.;x`: servers that strip path parameters (Tomcat, Jetty) see a dot segment.
    case dotSegmentWithParameters
    /// A `..` segment would climb above `/`.
    case climbsAboveRoot

    /// One sentence for the agent, saying what to send instead.
    public var reason: String {
        switch self {
        case .notAbsolute: return "the path must start with /"
        case .fragment: return "the path must not contain #"
        case .invalidCharacter(let byte):
            return "the path contains the byte 0x\(String(byte, radix: 16, uppercase: true)); percent-encode it"
        case .malformedEscape: return "the path has a % that is not followed by two hex digits"
        case .encodedSeparator(let escape): return "the path contains the encoded separator \(escape); send a plain /"
        case .encodedNUL: return "the path contains %00"
        case .doubleEncoding: return "the path contains a double-encoded escape (%25 followed by hex digits)"
        case .invalidUTF8: return "the path decodes to bytes that are not UTF-8"
        case .dotSegmentWithParameters: return "the path has a . or .. segment with ;parameters"
        case .climbsAboveRoot: return "the path's .. segments climb above /"
        }
    }
}
