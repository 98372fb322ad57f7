/// Incremental decoder for the chunked transfer coding (RFC 9112 §7.1). It consumes bytes
/// as they arrive, appends chunk data to a body, and keeps the trailer fields.
/// Every loop is bounded: size lines, extensions, trailers and the total body have limits.
public struct ChunkedDecoder: Sendable {
    enum State: Sendable {
        case size(digits: Int, value: Int)
        case extensionBytes(length: Int)
        case sizeLF
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailers
        case done
    }

    public static let maxSizeLine = 4096
    private var state: State = .size(digits: 0, value: 0)
    private var pendingSize = 0
    private var trailerBytes: [UInt8] = []
    public private(set) var trailers = HTTPHeaders()
    public let maxBodySize: Int
    public let maxTrailerSize: Int
    public let maxHeaderCount: Int
    public private(set) var bodySize = 0

    public init(maxBodySize: Int, maxTrailerSize: Int = 8192, maxHeaderCount: Int = 100) {
        self.maxBodySize = maxBodySize
        self.maxTrailerSize = maxTrailerSize
        self.maxHeaderCount = maxHeaderCount
    }

    public var isComplete: Bool { if case .done = state { return true }; return false }

    /// Consumes from `buf`, appending decoded data to `body`. Returns how many bytes were consumed;
    /// stops early once the message is complete (pipelined bytes after it are left alone).
    public mutating func decode(_ buf: UnsafeBufferPointer<UInt8>, into body: inout [UInt8]) throws(HTTPParseError) -> Int {
        var i = 0
        let n = buf.count
        while i < n {
            switch state {
            case .size(let digits, let value):
                let c = buf[i]
                if let h = hexValue(c) {
                    guard digits < 15 else { throw .invalidChunk }
                    state = .size(digits: digits + 1, value: value << 4 | h)
                    i += 1
                } else {
                    guard digits > 0 else { throw .invalidChunk }
                    pendingSize = value
                    if c == ASCII.cr {
                        state = .sizeLF; i += 1
                    } else if c == ASCII.semicolon || isOWS(c) {
                        state = .extensionBytes(length: 0)
                    } else {
                        throw .invalidChunk
                    }
                }
            case .extensionBytes(let length):
                // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ); we validate the bytes
                // and ignore the meaning, as no extension is defined that we act on.
                let c = buf[i]
                if c == ASCII.cr {
                    state = .sizeLF
                } else {
                    guard isFieldValueChar(c), length < Self.maxSizeLine else { throw .invalidChunk }
                    if length == 0, !(c == ASCII.semicolon || isOWS(c)) { throw .invalidChunk }
                    state = .extensionBytes(length: length + 1)
                }
                i += 1
            case .sizeLF:
                guard buf[i] == ASCII.lf else { throw .invalidChunk }
                i += 1
                if pendingSize == 0 {
                    state = .trailers
                } else {
                    guard pendingSize <= maxBodySize - bodySize else { throw .bodyTooLarge }
                    state = .data(remaining: pendingSize)
                }
            case .data(let remaining):
                let take = min(remaining, n - i)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<(i + take)]))
                bodySize += take
                i += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
            case .dataCR:
                guard buf[i] == ASCII.cr else { throw .invalidChunk }
                state = .dataLF; i += 1
            case .dataLF:
                guard buf[i] == ASCII.lf else { throw .invalidChunk }
                state = .size(digits: 0, value: 0); i += 1
            case .trailers:
                let c = buf[i]
                trailerBytes.append(c)
                i += 1
                guard trailerBytes.count <= maxTrailerSize else { throw .trailersTooLarge }
                if try trailerSectionEnded(lastByte: c) {
                    try parseTrailers()
                    state = .done
                    return i
                }
            case .done:
                return i
            }
        }
        return i
    }

    /// Checks line endings as they arrive and reports the empty line that ends the trailers.
    private func trailerSectionEnded(lastByte c: UInt8) throws(HTTPParseError) -> Bool {
        let t = trailerBytes
        let k = t.count
        if k >= 2, t[k - 2] == ASCII.cr, c != ASCII.lf { throw .bareCR }
        guard c == ASCII.lf else { return false }
        guard k >= 2, t[k - 2] == ASCII.cr else { throw .bareLF }
        return k == 2 || (k >= 4 && t[k - 3] == ASCII.lf && t[k - 4] == ASCII.cr)
    }

    private mutating func parseTrailers() throws(HTTPParseError) {
        guard trailerBytes.count > 2 else { return }
        var parsed = HTTPHeaders()
        let count = trailerBytes.count - 2
        let maxCount = maxHeaderCount
        try trailerBytes.withUnsafeBufferPointer { buf throws(HTTPParseError) in
            try HeaderFieldParser(maxCount: maxCount).parse(buf, from: 0, to: count, into: &parsed) { _, _, _ in }
        }
        trailers = parsed
        trailerBytes = []
    }
}
