@testable import CredentialProxy
import Testing

@Suite("Egress: path normalisation")
struct EgressPathTests {
    @Test(arguments: [
        ("/", "/"),
        ("/a/b", "/a/b"),
        ("/a/b/", "/a/b/"),
        // Empty segments collapse.
        ("/a//b", "/a/b"),
        ("//a///b//", "/a/b/"),
        // Dot segments resolve (RFC 3986 §5.2.4), also percent-encoded in any case.
        ("/a/./b", "/a/b"),
        ("/a/../b", "/b"),
        ("/a/%2e%2e/b", "/b"),
        ("/a/%2E%2E/b", "/b"),
        ("/a/%2E./b", "/b"),
        ("/a/.%2e/b", "/b"),
        ("/a/%2e/b", "/a/b"),
        ("/a/b/c/../../d", "/a/d"),
        ("/a/b/..", "/a/"),
        ("/a/b/.", "/a/b/"),
        ("/a/..", "/"),
        ("/.", "/"),
        ("/./", "/"),
        // Unreserved escapes decode; others stay encoded with upper-case hex.
        ("/%7Euser/%41%62c", "/~user/Abc"),
        ("/a%2db%5F%2E", "/a-b_."),
        ("/a%20b", "/a%20b"),
        ("/a%3fb%3Bc", "/a%3Fb%3Bc"),
        ("/caf%c3%a9", "/caf%C3%A9"),
        ("/100%25off", "/100%25off"),
        // The query is not part of the path, whatever it holds.
        ("/v1/x?q=../../etc&p=%2f", "/v1/x"),
        ("/v1/x?", "/v1/x"),
        ("/?a", "/"),
        // Everything else RFC 3986 allows in a segment is kept as is.
        ("/a/b;v=1", "/a/b;v=1"),
        ("/a:b@c!$&'()*+,;=", "/a:b@c!$&'()*+,;="),
        // Three dots are a name, not a dot segment.
        ("/a/.../b", "/a/.../b"),
    ])
    func normalises(target: String, expected: String) throws {
        #expect(try NormalizedPath(target).value == expected)
    }

    @Test(arguments: [
        ("", PathRefusal.notAbsolute),
        ("a/b", .notAbsolute),
        ("*", .notAbsolute),
        ("http://example.com/a", .notAbsolute),
        ("?/a", .notAbsolute),
        ("/a#b", .fragment),
        // Encoded separators: refused rather than guessed at.
        ("/a%2fb", .encodedSeparator("%2F")),
        ("/a%2Fb", .encodedSeparator("%2F")),
        ("/a/..%2f..%2fetc", .encodedSeparator("%2F")),
        ("/a%5cb", .encodedSeparator("%5C")),
        ("/a/%2e%2e%5c", .encodedSeparator("%5C")),
        ("/a%00b", .encodedNUL),
        ("/a%00", .encodedNUL),
        // Raw bytes outside pchar.
        ("/a\\b", .invalidCharacter(0x5C)),
        ("/a\\..\\b", .invalidCharacter(0x5C)),
        ("/a b", .invalidCharacter(0x20)),
        ("/a\tb", .invalidCharacter(0x09)),
        ("/a\u{7F}", .invalidCharacter(0x7F)),
        ("/é", .invalidCharacter(0xC3)),
        ("/a\"b", .invalidCharacter(0x22)),
        ("/a<b>", .invalidCharacter(0x3C)),
        ("/a%", .malformedEscape),
        ("/a%2", .malformedEscape),
        ("/a%zz", .malformedEscape),
        ("/a/%u002e%u002e/b", .malformedEscape),
        // Double encoding, including of the digits themselves.
        ("/a/%252e%252e/b", .doubleEncoding),
        ("/a%252fb", .doubleEncoding),
        ("/a%25%32%65", .doubleEncoding),
        ("/a%25%32%46", .doubleEncoding),
        // Overlong UTF-8 for "." and "/", and bytes that are not UTF-8 at all.
        ("/%c0%ae%c0%ae/x", .invalidUTF8),
        ("/a%c0%afb", .invalidUTF8),
        ("/%ff", .invalidUTF8),
        // Path parameters on dot segments (Tomcat/Jetty strip them, then resolve).
        ("/a/..;/b", .dotSegmentWithParameters),
        ("/a/..;x=1/b", .dotSegmentWithParameters),
        ("/a/.;x/b", .dotSegmentWithParameters),
        ("/a/..%3b/b", .dotSegmentWithParameters),
        ("/a/%2e%2e;/b", .dotSegmentWithParameters),
        // Above the root.
        ("/..", .climbsAboveRoot),
        ("/../a", .climbsAboveRoot),
        ("/%2e%2e/a", .climbsAboveRoot),
        ("/a/../..", .climbsAboveRoot),
        ("/a/../../b", .climbsAboveRoot),
        ("/./..", .climbsAboveRoot),
    ])
    func refuses(target: String, refusal: PathRefusal) {
        #expect(throws: refusal) { try NormalizedPath(target) }
    }

    @Test func dotSegmentsAndDoubleSlashesCannotSlipBetweenPrefixes() throws {
        let a = try NormalizedPath("/a/")
        let b = try NormalizedPath("/b")
        let climbed = try NormalizedPath("/a/%2e%2e/b")
        #expect(!climbed.isWithin(a))
        #expect(climbed.isWithin(b))
        let doubled = try NormalizedPath("/a//b")
        #expect(doubled.isWithin(a))
        #expect(doubled.isWithin(try NormalizedPath("/a/b")))
        #expect(!doubled.isWithin(b))
        #expect(try NormalizedPath("//b").isWithin(b))
    }

    @Test(arguments: [
        ("/v1", "/v1", true),
        ("/v1/x", "/v1", true),
        ("/v1/", "/v1", true),
        ("/v1/x/y", "/v1/x", true),
        ("/v10", "/v1", false),
        ("/v1x/y", "/v1", false),
        ("/v", "/v1", false),
        ("/", "/v1", false),
        ("/v1", "/v1/", true),
        ("/v1/x", "/v1/", true),
        ("/v10", "/v1/", false),
        ("/anything/at/all", "/", true),
        ("/", "/", true),
        ("/a%20b/c", "/a%20b", true),
        ("/a%20b/c", "/a b", false),
    ])
    func prefixesMatchOnSegmentBoundaries(path: String, prefix: String, matches: Bool) throws {
        let prefixPath: NormalizedPath
        do {
            prefixPath = try NormalizedPath(prefix)
        } catch {
            // A prefix that does not normalise cannot be a rule, so it matches nothing.
            #expect(!matches)
            return
        }
        #expect(try NormalizedPath(path).isWithin(prefixPath) == matches)
    }

    @Test(arguments: [
        ("/admin", "/admin", true),
        ("/ADMIN/x", "/admin", true),
        ("/admin;jsessionid=1/x", "/admin", true),
        ("/v1;x/admin;y", "/v1/admin", true),
        ("/v1/Admin", "/V1/admin/", true),
        ("/", "/", true),
        ("/x", "/", true),
        ("/administrator", "/admin", false),
        ("/adm;in", "/admin", false),
        ("/v1", "/v1/admin", false),
    ])
    func prefixesMatchAsAnyServerMightReadThem(path: String, prefix: String, matches: Bool) throws {
        #expect(try NormalizedPath(path).isWithinAsAnyServerReads(NormalizedPath(prefix)) == matches)
    }

    @Test func prefixMatchingSeesTheNormalisedFormOnBothSides() throws {
        let prefix = try NormalizedPath("/%7Euser/x%2Dy")
        #expect(try NormalizedPath("/~user/x-y/z").isWithin(prefix))
        #expect(try NormalizedPath("/%7euser/x-y").isWithin(prefix))
    }

    @Test func segmentCountIgnoresATrailingSlash() throws {
        #expect(try NormalizedPath("/").segmentCount == 0)
        #expect(try NormalizedPath("/v1").segmentCount == 1)
        #expect(try NormalizedPath("/v1/").segmentCount == 1)
        #expect(try NormalizedPath("/v1/x").segmentCount == 2)
    }

    @Test func everyRefusalHasAReason() {
        let refusals: [PathRefusal] = [
            .notAbsolute, .fragment, .invalidCharacter(0x5C), .malformedEscape, .encodedSeparator("%2F"),
            .encodedNUL, .doubleEncoding, .invalidUTF8, .dotSegmentWithParameters, .climbsAboveRoot,
        ]
        for refusal in refusals { #expect(!refusal.reason.isEmpty) }
        #expect(PathRefusal.invalidCharacter(0x5C).reason.contains("0x5C"))
    }
}
