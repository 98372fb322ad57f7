/// Finds the end of a message head (the empty line) in bytes that arrive piecemeal,
/// rejecting bare CR and bare LF as soon as they are seen so a malformed stream
/// never waits for a timeout. Rescanning resumes near where it stopped, so a head
/// that arrives one byte at a time costs linear work.
public struct HeadScanner: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// The head ends just before `end` (which is past the final CRLF CRLF).
        case complete(end: Int)
        case incomplete
    }

    private var resumeAt = 0

    public init() {}

    public mutating func reset() { resumeAt = 0 }

    public mutating func scan(_ buf: UnsafeBufferPointer<UInt8>, limit: Int) throws(HTTPParseError) -> Outcome {
        var i = resumeAt
        let n = buf.count
        while i < n {
            let c = buf[i]
            if c == ASCII.lf {
                guard i > 0, buf[i - 1] == ASCII.cr else { throw .bareLF }
                if i >= 3, buf[i - 2] == ASCII.lf, buf[i - 3] == ASCII.cr {
                    resumeAt = 0
                    guard i + 1 <= limit else { throw .headersTooLarge }
                    return .complete(end: i + 1)
                }
            } else if c == ASCII.cr {
                if i + 1 < n {
                    if buf[i + 1] != ASCII.lf { throw .bareCR }
                } else {
                    break
                }
            }
            i += 1
        }
        resumeAt = i
        if n > limit { throw .headersTooLarge }
        return .incomplete
    }

    /// Number of leading empty lines (CRLF pairs) to discard before a request line,
    /// which RFC 9112 §2.2 asks servers to tolerate.
    public static func leadingEmptyLines(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        while i + 1 < buf.count, buf[i] == ASCII.cr, buf[i + 1] == ASCII.lf { i += 2 }
        return i
    }
}
