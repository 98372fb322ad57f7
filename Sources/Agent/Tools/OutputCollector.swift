/// Keeps the beginning and the end of a command's output within a byte budget: the start says
/// what ran, the end usually holds the error. What falls in between is counted, not kept.
struct OutputCollector {
    private let headLimit: Int
    private let tailLimit: Int
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    private(set) var omitted = 0

    init(limit: Int) {
        headLimit = limit / 2
        tailLimit = limit - limit / 2
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes[...]
        if head.count < headLimit {
            let take = min(headLimit - head.count, rest.count)
            head.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty else { return }
        tail.append(contentsOf: rest)
        // Trim in batches, so a chatty command does not shift the buffer on every read.
        if tail.count > 2 * tailLimit {
            let excess = tail.count - tailLimit
            tail.removeFirst(excess)
            omitted += excess
        }
    }

    var text: String {
        var kept = tail
        var dropped = omitted
        if kept.count > tailLimit {
            dropped += kept.count - tailLimit
            kept.removeFirst(kept.count - tailLimit)
        }
        let start = String(decoding: head, as: UTF8.self)
        guard dropped > 0 else { return start + String(decoding: kept, as: UTF8.self) }
        return start + "\n[… \(dropped) bytes of output omitted …]\n" + String(decoding: kept, as: UTF8.self)
    }
}
