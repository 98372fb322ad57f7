/// A binary min-heap of (deadline, token). Entries are never removed early: a handler whose
/// deadline moved later simply ignores the stale entry when it fires, which keeps the
/// common case (a keep-alive deadline pushed back on every request) free of heap work.
struct TimerHeap {
    struct Entry { var deadline: UInt64; var token: UInt64 }
    private var items: [Entry] = []

    var count: Int { items.count }
    func peek() -> Entry? { items.first }

    mutating func push(deadline: UInt64, token: UInt64) {
        items.append(Entry(deadline: deadline, token: token))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].deadline < items[parent].deadline else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    @discardableResult
    mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var smallest = i
                if l < items.count, items[l].deadline < items[smallest].deadline { smallest = l }
                if r < items.count, items[r].deadline < items[smallest].deadline { smallest = r }
                if smallest == i { break }
                items.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }
}
