/// Accumulates a request body framed by Content-Length or the chunked coding.
struct BodyReader {
    private enum Mode {
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
    }
    private var mode: Mode
    private(set) var body: [UInt8] = []

    init(length: Int) {
        mode = .length(remaining: length)
        body.reserveCapacity(min(length, 1 << 20))
    }

    init(chunked decoder: ChunkedDecoder) { mode = .chunked(decoder) }

    var isComplete: Bool {
        switch mode {
        case .length(let remaining): return remaining == 0
        case .chunked(let decoder): return decoder.isComplete
        }
    }

    var trailers: HTTPHeaders {
        if case .chunked(let decoder) = mode { return decoder.trailers }
        return [:]
    }

    mutating func consume(_ buf: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        switch mode {
        case .length(let remaining):
            let take = min(remaining, buf.count)
            body.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<take]))
            mode = .length(remaining: remaining - take)
            return take
        case .chunked(var decoder):
            mode = .length(remaining: 0) // release the copy while decoding
            let n = try decoder.decode(buf, into: &body)
            mode = .chunked(decoder)
            return n
        }
    }
}
