import Channels
import Testing

@Suite struct MessageSplitterTests {
    @Test func textWithinTheLimitIsOneMessage() {
        let text = String(repeating: "a", count: 10)
        #expect(MessageSplitter.split(text, limit: .utf16(10)) == [text])
        #expect(MessageSplitter.split(text + "b", limit: .utf16(10)) == [text, "b"])
    }

    @Test func blankTextIsNoMessage() {
        #expect(MessageSplitter.split("", limit: .utf16(10)).isEmpty)
        #expect(MessageSplitter.split(" \n\n ", limit: .utf16(10)).isEmpty)
    }

    @Test func paragraphsAreTheFirstChoice() {
        let text = "first paragraph\nsecond line\n\nthird"
        #expect(MessageSplitter.split(text, limit: .utf16(30)) == ["first paragraph\nsecond line", "third"])
    }

    @Test func thenLinesThenWords() {
        #expect(MessageSplitter.split("one two\nthree four", limit: .utf16(14)) == ["one two", "three four"])
        #expect(MessageSplitter.split("alpha beta gamma delta", limit: .utf16(12)) == ["alpha beta", "gamma delta"])
    }

    @Test func anEarlyParagraphBreakLosesToALaterLineBreak() {
        // A cut at the paragraph would leave a 3-character message.
        let text = "abc\n\ndefghijkl mnop\nqrs"
        #expect(MessageSplitter.split(text, limit: .utf16(20)) == ["abc\n\ndefghijkl mnop", "qrs"])
    }

    @Test func withoutAnyBoundaryTheCutIsBetweenCharacters() {
        #expect(MessageSplitter.split("abcdefghij", limit: .utf16(4)) == ["abcd", "efgh", "ij"])
    }

    @Test func aSeparatorJustPastTheLimitIsUsedAndDropped() {
        #expect(MessageSplitter.split("abcd efgh", limit: .utf16(4)) == ["abcd", "efgh"])
    }

    @Test func emojiAtTheBoundaryStayWhole() {
        // 👍🏽 and 🇫🇷 are two scalars and four UTF-16 units each; the family is seven scalars, 11 units.
        #expect(MessageSplitter.split("abc👍🏽", limit: .utf16(5)) == ["abc", "👍🏽"])
        #expect(MessageSplitter.split("ab🇫🇷🇫🇷", limit: .utf16(5)) == ["ab", "🇫🇷", "🇫🇷"])
        #expect(MessageSplitter.split("ab🇫🇷🇫🇷", limit: .utf16(6)) == ["ab🇫🇷", "🇫🇷"])
        let family = "👨‍👩‍👧‍👦"
        #expect(MessageSplitter.split("x" + family + "y", limit: .utf16(11)) == ["x", family, "y"])
        #expect(MessageSplitter.split("x" + family + "y", limit: .utf16(12)) == ["x" + family, "y"])
        for chunk in MessageSplitter.split(String(repeating: family, count: 5), limit: .utf16(20)) {
            #expect(chunk.utf16.count <= 20)
            #expect(chunk.allSatisfy { $0 == Character(family) })
        }
    }

    @Test func multiByteCharactersNeverSplitInUTF8() {
        let text = String(repeating: "é", count: 5) // two bytes each, precomposed
        let chunks = MessageSplitter.split(text, limit: .utf8(5))
        #expect(chunks == ["éé", "éé", "é"])
        let decomposed = String(repeating: "e\u{301}", count: 3) // one grapheme of three bytes each
        #expect(MessageSplitter.split(decomposed, limit: .utf8(4)) == ["e\u{301}", "e\u{301}", "e\u{301}"])
    }

    @Test func aSingleGraphemeLongerThanTheLimitIsCutBetweenScalars() {
        let zalgo = "a" + String(repeating: "\u{301}", count: 30)
        let chunks = MessageSplitter.split(zalgo, limit: .utf16(8))
        #expect(chunks.allSatisfy { $0.utf16.count <= 8 })
        #expect(chunks.joined() == zalgo)
    }

    @Test func crlfLineEndingsAreLineBoundaries() {
        #expect(MessageSplitter.split("first line\r\nsecond", limit: .utf16(12)) == ["first line", "second"])
    }

    @Test func nothingButTheSeparatorsIsLost() {
        let words = (0..<500).map { "word\($0)" }
        let text = words.joined(separator: " ")
        let chunks = MessageSplitter.split(text, limit: .utf16(97))
        #expect(chunks.allSatisfy { $0.utf16.count <= 97 })
        #expect(chunks.joined(separator: " ") == text)
    }

    @Test func platformLimits() {
        #expect(ChannelPlatform.discord.messageLimit.maximum == 2000)
        #expect(ChannelPlatform.telegram.messageLimit.maximum == 4096)
        let discord = MessageSplitter.split(String(repeating: "x", count: 4001), limit: ChannelPlatform.discord.messageLimit)
        #expect(discord.map(\.count) == [2000, 2000, 1])
        // Slack's limit counts text as escaped: each `<` becomes four characters.
        let slack = MessageSplitter.split(String(repeating: "<", count: 10_001), limit: ChannelPlatform.slack.messageLimit)
        #expect(slack.map(\.count) == [10_000, 1])
        #expect(ChannelPlatform.slack.messageLimit.cost(of: "a&b") == 7)
    }
}
