import HTTP

/// Feeds arbitrary bytes to the request parser, the chunked decoder and the response parser.
/// Besides "never crash", it checks one property: scanning the bytes in two pieces (split at a
/// point taken from the input) finds the same head end, or the same error, as scanning them whole.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let limit = 16 * 1024
    let whole = scan(bytes, limit: limit, split: nil)
    if size > 1 {
        let split = Int(bytes[0]) % size
        let pieces = scan(bytes, limit: limit, split: split)
        precondition(whole == pieces, "split scan disagrees: \(String(describing: whole)) vs \(String(describing: pieces)) at \(split)")
    }
    guard case .complete(let end)? = whole else { return 0 }

    if let head = try? RequestHeadParser().parse(bytes, end: end), head.framing == .chunked {
        var decoder = ChunkedDecoder(maxBodySize: 1 << 20)
        var body: [UInt8] = []
        let rest = UnsafeBufferPointer(rebasing: bytes[end...])
        if let used = try? decoder.decode(rest, into: &body) {
            precondition(used <= rest.count)
            precondition(body.count == decoder.bodySize)
        }
    }
    _ = try? ResponseHeadParser().parse(bytes, end: end, requestMethod: "GET")
    return 0
}

private enum ScanResult: Equatable {
    case complete(Int)
    case incomplete
    case failed(HTTPParseError)
}

private func scan(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int, split: Int?) -> ScanResult? {
    var scanner = HeadScanner()
    do {
        if let split {
            if case .complete(let end) = try scanner.scan(UnsafeBufferPointer(rebasing: bytes[..<split]), limit: limit) {
                return .complete(end)
            }
        }
        switch try scanner.scan(bytes, limit: limit) {
        case .complete(let end): return .complete(end)
        case .incomplete: return .incomplete
        }
    } catch {
        return .failed(error)
    }
}

// SwiftPM links executables with `main` aliased to `<module>_main`, which hides libFuzzer's own
// `main`; this entry point hands control to libFuzzer's driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

@_cdecl("HTTPParserFuzz_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
