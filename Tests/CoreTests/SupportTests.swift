import Foundation
import Synchronization
import Testing
@testable import Core
import Store

@Suite struct IDGeneratorTests {
    static let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// Decodes the 48-bit millisecond prefix of an id's ULID part.
    static func millis(of id: String) -> UInt64 {
        let ulid = id.split(separator: "_")[1]
        var value: UInt64 = 0
        for c in ulid.prefix(10) { value = value << 5 | UInt64(crockford.firstIndex(of: c)!) }
        return value
    }

    @Test func tenThousandIdsAreUniqueStrictlyIncreasingAndValid() {
        let generator = IDGenerator()
        let ids = (0..<10_000).map { _ in generator.make(.session) }
        #expect(Set(ids).count == ids.count, "unique")
        var increasing = true
        for i in 1..<ids.count where !(ids[i - 1] < ids[i]) {
            increasing = false
            Issue.record("ids[\(i - 1)] = \(ids[i - 1]) is not below ids[\(i)] = \(ids[i])")
            break
        }
        #expect(increasing)
        #expect(ids.allSatisfy { IDGenerator.isValid($0, kind: .session) })
        #expect(ids.allSatisfy { $0.hasPrefix("ses_") && $0.count == 4 + 26 })
        // A ULID's first character carries 3 bits of time: at most 7.
        #expect(ids.allSatisfy { Array($0)[4] <= "7" })
    }

    @Test func eachKindHasItsPrefix() {
        let generator = IDGenerator()
        let expected: [IDKind: String] = [.session: "ses", .message: "msg", .run: "run", .approval: "apr",
                                          .credential: "crd", .rule: "rul", .key: "key", .event: "evt", .task: "tsk",
                                          .channel: "chn", .audit: "aud", .webhook: "whk", .webhookDelivery: "whd",
                                          .channelDelivery: "chd"]
        #expect(Set(expected.keys) == Set(IDKind.allCases))
        for kind in IDKind.allCases {
            let id = generator.make(kind)
            #expect(id.hasPrefix(expected[kind]! + "_"), "\(id)")
            #expect(IDGenerator.isValid(id, kind: kind))
            for other in IDKind.allCases where other != kind {
                #expect(!IDGenerator.isValid(id, kind: other), "\(id) is not a \(other)")
            }
        }
    }

    @Test func idsCarryTheirCreationTime() {
        let generator = IDGenerator()
        let before = Timestamp.nowMillis()
        let id = generator.make(.run)
        let after = Timestamp.nowMillis()
        let millis = Self.millis(of: id)
        #expect(millis >= before && millis <= after, "\(millis) in \(before)...\(after)")
    }

    @Test func concurrentGenerationIsUniqueAndOrderedPerCaller() async {
        let generator = IDGenerator()
        let batches = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<2_000).map { _ in generator.make(.event) } }
            }
            var out: [[String]] = []
            for await batch in group { out.append(batch) }
            return out
        }
        let all = batches.flatMap { $0 }
        #expect(Set(all).count == 16_000)
        for batch in batches { #expect(batch == batch.sorted(), "each caller sees increasing ids") }
    }

    @Test func isValidRejectsMalformedIds() {
        let good = IDGenerator().make(.session)
        #expect(IDGenerator.isValid(good, kind: .session))
        let body = String(good.dropFirst(4))
        let head = String(body.dropLast())
        var bad: [String] = ["", "ses_", "ses", good + "0", String(good.dropLast()), "ses_01NOSUCHSESSION000000000000"]
        bad.append("ses-" + body)
        bad.append("SES_" + body)
        bad.append("xses_" + String(body.dropFirst()))
        bad.append("ses_" + body.lowercased())
        bad.append("ses_ " + String(body.dropFirst()))
        for c in ["I", "L", "O", "U", "_", "é", "-"] { bad.append("ses_" + head + c) }
        for id in bad { #expect(!IDGenerator.isValid(id, kind: .session), "\(id)") }
    }
}

@Suite struct TimestampTests {
    static let pattern = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#

    @Test func formatsKnownInstants() {
        #expect(Timestamp.format(millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(millis: 1_700_000_000_123) == "2023-11-14T22:13:20.123Z")
        #expect(Timestamp.format(millis: 1_709_164_800_007) == "2024-02-29T00:00:00.007Z", "leap day")
        #expect(Timestamp.format(millis: 951_868_799_999) == "2000-02-29T23:59:59.999Z")
        #expect(Timestamp.format(millis: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.format(date: Date(timeIntervalSince1970: 1_700_000_000.5)) == "2023-11-14T22:13:20.500Z")
        #expect(Timestamp.format(date: Date(timeIntervalSince1970: -5)) == "1970-01-01T00:00:00.000Z", "clamped")
    }

    @Test func nowIsRFC3339UTCAndParsesBack() throws {
        let text = Timestamp.now()
        #expect(text.range(of: Self.pattern, options: .regularExpression) != nil, "\(text)")
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = try #require(parser.date(from: text))
        #expect(abs(date.timeIntervalSinceNow) < 60)
        #expect(Timestamp.unixSeconds() == Int64(Timestamp.nowMillis() / 1000) ||
                Timestamp.unixSeconds() + 1 == Int64(Timestamp.nowMillis() / 1000))
    }

    @Test func textOrderIsTimeOrder() {
        var millis: [UInt64] = [0, 1, 999, 1000, 59_999, 60_000, 1_700_000_000_000, 1_700_000_000_001, 4_102_444_800_000]
        millis += (0..<200).map { _ in UInt64.random(in: 0...253_402_300_799_999) }
        let sortedByTime = millis.sorted().map { Timestamp.format(millis: $0) }
        #expect(sortedByTime == sortedByTime.sorted())
        for m in millis {
            #expect(Timestamp.format(millis: m).range(of: Self.pattern, options: .regularExpression) != nil)
        }
    }

    @Test func afterIsInTheFuture() {
        let now = Timestamp.now()
        #expect(Timestamp.after(seconds: 180) > now)
        #expect(Timestamp.after(seconds: 0) >= now)
        #expect(Timestamp.after(seconds: -10) >= now, "negative durations clamp to now")
    }
}

@Suite struct JSONValueTests {
    @Test func roundTripsEveryKind() throws {
        let value: JSONValue = .object([
            "null": .null, "true": .bool(true), "false": .bool(false), "int": .integer(42), "negative": .integer(-7),
            "fraction": .number(1.5), "big": .number(1e20), "string": .string("héllo \"quoted\" / \\ \n ✓"),
            "empty": .string(""), "array": .array([.integer(1), .string("two"), .null, .array([]), .object([:])]),
            "nested": .object(["deeper": .object(["deepest": .array([.bool(false)])])]),
        ])
        let text = value.encodedText
        #expect(JSONValue.decode(text) == value)
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test func encodingIsStableAndCompact() {
        let value: JSONValue = .object(["b": .number(2), "a": .number(1), "c": .array([.number(3.25), .string("/x")])])
        #expect(value.encodedText == #"{"a":1,"b":2,"c":[3.25,"/x"]}"#, "sorted keys, integers without .0, slashes unescaped")
        #expect(JSONValue.object([:]).encodedText == "{}")
        #expect(JSONValue.null.encodedText == "null")
        #expect(JSONValue.number(-0.5).encodedText == "-0.5")
    }

    @Test func decodesPlainJSON() {
        #expect(JSONValue.decode(#"{"a":[1,true,null,"x"]}"#) ==
                    .object(["a": .array([.integer(1), .bool(true), .null, .string("x")])]))
        #expect(JSONValue.decode("3") == .integer(3))
        #expect(JSONValue.decode("9007199254740993") == .integer(9_007_199_254_740_993), "integers above 2^53 are exact")
        #expect(JSONValue.decode("2.5") == .number(2.5))
        #expect(JSONValue.decode(#""s""#) == .string("s"))
        #expect(JSONValue.decode("true") == .bool(true), "booleans stay booleans")
        #expect(JSONValue.decode("1") == .integer(1), "numbers do not become booleans")
        #expect(JSONValue.decode("not json") == .null)
        #expect(JSONValue.decode("") == .null)
    }
}

@Suite struct JSONWriterTests {
    private func written(_ value: String) -> String {
        var w = JSONWriter()
        w.string(value)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func plainTextIsCopiedAsItIs() {
        #expect(written("") == #""""#)
        #expect(written("hello, world") == #""hello, world""#)
        #expect(written("caf\u{E9} \u{1F600}") == "\"caf\u{E9} \u{1F600}\"")
    }

    @Test func quotesBackslashesAndControlsAreEscapedWhereverTheyStand() {
        #expect(written("\"") == #""\"""#)
        #expect(written("a\"b\\c") == #""a\"b\\c""#)
        #expect(written("\n\r\t") == #""\n\r\t""#)
        #expect(written("x\u{0}y\u{1F}") == #""x\u0000y\u001f""#)
        #expect(written("end\\") == #""end\\""#)
    }

    @Test func everyEscapedStringParsesBackToItself() throws {
        var all = ""
        for c in 0..<0x80 { all.unicodeScalars.append(Unicode.Scalar(UInt8(c))) }
        all += "\u{2028}\u{FFFF}\u{10FFFF}"
        let text = written(all)
        let back = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as? String
        #expect(back == all)
    }
}
