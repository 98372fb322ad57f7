/// How a platform measures the length of a message, and its maximum.
public struct TextLimit: Sendable {
    public var maximum: Int
    /// The cost of one Unicode scalar in the platform's unit; a character costs its scalars' sum.
    let scalarCost: @Sendable (Unicode.Scalar) -> Int

    public init(maximum: Int, scalarCost: @escaping @Sendable (Unicode.Scalar) -> Int) {
        self.maximum = maximum
        self.scalarCost = scalarCost
    }

    /// UTF-16 code units: what JavaScript's `length` counts, and never fewer than the code
    /// points or graphemes other platforms count, so it is the safe measure of "characters".
    public static func utf16(_ maximum: Int) -> TextLimit { TextLimit(maximum: maximum) { $0.utf16.count } }

    public static func utf8(_ maximum: Int) -> TextLimit { TextLimit(maximum: maximum) { $0.utf8.count } }

    public func cost(of text: some StringProtocol) -> Int { text.unicodeScalars.reduce(0) { $0 + scalarCost($1) } }

    func cost(_ character: Character) -> Int { character.unicodeScalars.reduce(0) { $0 + scalarCost($1) } }
}

/// Splits a long reply into messages a platform accepts, at the best boundary that fits: a
/// paragraph, else a line, else a space, else between two characters (grapheme clusters), so an
/// emoji, a flag or an accented letter is never cut. Only a single grapheme longer than the
/// limit (hundreds of combining marks) is cut between its scalars; a UTF-8 sequence never is.
public enum MessageSplitter {
    public static func split(_ text: String, limit: TextLimit) -> [String] {
        let characters = Array(text)
        // The smallest limit that holds any scalar (4 UTF-8 bytes), so progress is certain.
        let maximum = max(limit.maximum, 4)
        var chunks: [String] = []
        var start = 0
        while start < characters.count {
            var end = start
            var used = 0
            while end < characters.count, used + limit.cost(characters[end]) <= maximum {
                used += limit.cost(characters[end])
                end += 1
            }
            if end == characters.count {
                append(characters[start..<end], to: &chunks)
                break
            }
            if end == start {
                chunks += splitScalars(characters[start], maximum: maximum, limit: limit)
                start += 1
                continue
            }
            let cut = bestCut(characters, start: start, end: end)
            append(characters[start..<cut.chunkEnd], to: &chunks)
            start = cut.nextStart
        }
        return chunks
    }

    /// Where to end the chunk `start..<end` (which fits) and where the next one starts, dropping
    /// the separator cut at. A boundary in the first half of the window would leave a short
    /// message, so a weaker boundary later in the window is preferred to it.
    private static func bestCut(_ c: [Character], start: Int, end: Int) -> (chunkEnd: Int, nextStart: Int) {
        let half = start + (end - start) / 2
        // The separator may sit just past the window: it is dropped, not sent.
        let candidates = stride(from: min(end, c.count - 1), to: start, by: -1)
        let isParagraph = { (i: Int) in c[i].isNewline && i + 1 < c.count && c[i + 1].isNewline }
        let kinds: [(Int) -> Bool] = [isParagraph, { c[$0].isNewline }, { c[$0].isWhitespace }]
        for kind in kinds {
            if let i = candidates.first(where: kind), i >= half { return cut(c, at: i, start: start) }
        }
        if let i = candidates.first(where: { c[$0].isWhitespace }) { return cut(c, at: i, start: start) }
        return (end, end)
    }

    /// Cut at the whitespace at `i`: the chunk loses the newlines it ends with, the next one
    /// starts after the whole run of newlines (a paragraph break) or after the one separator.
    private static func cut(_ c: [Character], at i: Int, start: Int) -> (chunkEnd: Int, nextStart: Int) {
        var end = i
        var next = i + 1
        if c[i].isNewline {
            while end > start, c[end - 1].isNewline { end -= 1 }
            while next < c.count, c[next].isNewline { next += 1 }
        }
        return (end, next)
    }

    /// Whitespace-only chunks are dropped: platforms refuse empty messages.
    private static func append(_ slice: ArraySlice<Character>, to chunks: inout [String]) {
        guard slice.contains(where: { !$0.isWhitespace }) else { return }
        chunks.append(String(slice))
    }

    private static func splitScalars(_ character: Character, maximum: Int, limit: TextLimit) -> [String] {
        var chunks: [String] = []
        var current = String.UnicodeScalarView()
        var used = 0
        for scalar in character.unicodeScalars {
            if used + limit.scalarCost(scalar) > maximum {
                chunks.append(String(current))
                current = String.UnicodeScalarView()
                used = 0
            }
            current.append(scalar)
            used += limit.scalarCost(scalar)
        }
        if !current.isEmpty { chunks.append(String(current)) }
        return chunks
    }
}
