@testable import CredentialProxy
import Testing

@Suite("Scrubbing secrets from streams")
struct SecretScrubberTests {
    static let secret = Secret("sk-SECRET-42")

    /// Feeds `text` cut at `cuts` and returns what came out.
    static func scrubbed(_ text: String, cuts: [Int]) -> String {
        var scrubber = SecretScrubber(secret)
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            out += scrubber.feed(Array(bytes[start..<cut]))
            start = cut
        }
        out += scrubber.finish()
        return String(decoding: out, as: UTF8.self)
    }

    @Test func everyOccurrenceIsReplacedWhereverTheChunksAreCut() {
        let text = "key=sk-SECRET-42; again sk-SECRET-42sk-SECRET-42 and sk-SECRET-4 (not quite) sk-s"
        let expected = "key=[REDACTED]; again [REDACTED][REDACTED] and sk-SECRET-4 (not quite) sk-s"
        let count = text.utf8.count
        for cut in 0...count {
            #expect(Self.scrubbed(text, cuts: [cut]) == expected, "cut at \(cut)")
        }
        for first in stride(from: 0, through: count, by: 3) {
            for second in stride(from: first, through: count, by: 5) {
                #expect(Self.scrubbed(text, cuts: [first, second]) == expected, "cuts at \(first), \(second)")
            }
        }
        #expect(Self.scrubbed(text, cuts: Array(0...count)) == expected, "one byte at a time")
    }

    @Test func onlyAPossibleStartOfTheSecretIsHeldBack() {
        var scrubber = SecretScrubber(Self.secret)
        #expect(scrubber.feed(Array("data: {\"text\":\"hi\"}\n\n".utf8)) == Array("data: {\"text\":\"hi\"}\n\n".utf8),
                "an SSE event that cannot begin the secret passes at once")
        #expect(scrubber.feed(Array("abc sk-SEC".utf8)) == Array("abc ".utf8))
        #expect(scrubber.feed(Array("RET-43".utf8)) == Array("sk-SECRET-43".utf8), "released when it turns out not to be it")
        #expect(scrubber.feed(Array("sk-".utf8)) == [])
        #expect(scrubber.finish() == Array("sk-".utf8), "the end of the stream releases what is held")
    }

    @Test func headerValuesAreScrubbed() {
        #expect(SecretScrubber.scrub("Bearer sk-SECRET-42", secret: Self.secret) == "Bearer [REDACTED]")
        #expect(SecretScrubber.scrub("nothing here", secret: Self.secret) == "nothing here")
    }
}
