/// Mentions inside message text, in the markups the platforms use: `<@U123>` (Slack, Discord),
/// `@name` (Telegram, GitHub, Linear), `<at>Name</at>` (Teams).
enum MentionText {
    /// The ids of `<@id>`, `<@id|label>` and Discord's `<@!id>`, in order.
    static func angleMentionIDs(in text: String) -> [String] {
        angleMentions(in: text).map(\.id)
    }

    /// `text` without the angle mentions of `ids`.
    static func removingAngleMentions(of ids: Set<String>, from text: String) -> String {
        var result = text
        for mention in angleMentions(in: text).reversed() where ids.contains(mention.id) {
            result = removing(mention.range, from: result)
        }
        return result
    }

    /// The names of `@name` mentions, where `@` starts a word (so `a@b.com` is not one).
    static func atHandles(in text: String) -> [String] {
        atMentions(in: text).map(\.name)
    }

    /// `text` without `@name` for the bot's handles. `@name` straight after a word is removed too,
    /// for Telegram's `/approve@WardenBot`.
    static func removingAtHandles(of bot: BotIdentity, from text: String) -> String {
        var result = text
        for mention in atMentions(in: text, requireWordStart: false).reversed() where bot.isNamed(mention.name) {
            result = removing(mention.range, from: result)
        }
        return result
    }

    /// Removes `range` and one space after it when it stood alone between words, so "hey @bot
    /// look" becomes "hey look" rather than "hey  look". The caller trims the ends.
    static func removing(_ range: Range<String.Index>, from text: String) -> String {
        var upper = range.upperBound
        let spaceBefore = range.lowerBound == text.startIndex || text[text.index(before: range.lowerBound)].isWhitespace
        if spaceBefore, upper < text.endIndex, text[upper] == " " { upper = text.index(after: upper) }
        return String(text[..<range.lowerBound] + text[upper...])
    }

    private static func angleMentions(in text: String) -> [(range: Range<String.Index>, id: String)] {
        var found: [(Range<String.Index>, String)] = []
        var cursor = text.startIndex
        while let open = text[cursor...].range(of: "<@") {
            guard let close = text[open.upperBound...].firstIndex(of: ">") else { break }
            var id = Substring(text[open.upperBound..<close].prefix { $0 != "|" })
            if id.first == "!" { id = id.dropFirst() }
            if !id.isEmpty, !id.contains(where: { $0.isWhitespace || $0 == "<" }) {
                found.append((open.lowerBound..<text.index(after: close), String(id)))
            }
            cursor = open.upperBound
        }
        return found
    }

    private static func atMentions(in text: String, requireWordStart: Bool = true)
        -> [(range: Range<String.Index>, name: String)] {
        var found: [(Range<String.Index>, String)] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard text[index] == "@" else { index = text.index(after: index); continue }
            let atWordStart = index == text.startIndex || !isHandleCharacter(text[text.index(before: index)])
            var end = text.index(after: index)
            while end < text.endIndex, isHandleCharacter(text[end]) { end = text.index(after: end) }
            // GitHub Apps write and are mentioned as `name[bot]`.
            if text[end...].hasPrefix("[bot]") { end = text.index(end, offsetBy: 5) }
            let name = text[text.index(after: index)..<end]
            if !name.isEmpty, atWordStart || !requireWordStart { found.append((index..<end, String(name))) }
            index = end
        }
        return found
    }

    private static func isHandleCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-")
    }
}
