@testable import CredentialProxy
import Testing

@Suite("Egress: hosts and host patterns")
struct EgressHostTests {
    @Test(arguments: [
        ("api.example.com", "api.example.com"),
        ("API.Example.COM.", "api.example.com"),
        ("LOCALHOST", "localhost"),
        ("a_b.example.com", "a_b.example.com"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("123.example.com", "123.example.com"),
        ("0x7f.example.com", "0x7f.example.com"),
        ("127.0.0.1.nip.io", "127.0.0.1.nip.io"),
    ])
    func namesAreLowerCasedWithoutTheTrailingDot(text: String, name: String) throws {
        let host = try EgressHost(parsing: text)
        #expect(host.name == name)
        #expect(host.kind == .name)
        #expect(host.ipAddress == nil)
    }

    @Test(arguments: [
        ("10.0.0.1", "10.0.0.1", "10.0.0.1"),
        ("127.0.0.1.", "127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1", "[::1]"),
        ("::1", "::1", "[::1]"),
        ("[::FFFF:127.0.0.1]", "::ffff:127.0.0.1", "[::ffff:127.0.0.1]"),
        ("[0:0:0:0:0:0:0:1]", "::1", "[::1]"),
        ("[2001:DB8::1]", "2001:db8::1", "[2001:db8::1]"),
    ])
    func addressesTakeTheirCanonicalForm(text: String, name: String, description: String) throws {
        let host = try EgressHost(parsing: text)
        #expect(host.name == name)
        #expect(host.description == description)
        #expect(host.ipAddress?.description == name)
    }

    @Test(arguments: [
        ("", HostRefusal.empty),
        (".", .empty),
        ("bücher.example", .nonASCII),
        ("api.example.com:443", .invalidCharacter(":")),
        ("user@api.example.com", .invalidCharacter("@")),
        ("a b.example", .invalidCharacter(" ")),
        ("*.example.com", .invalidCharacter("*")),
        ("api.example.com/x", .invalidCharacter("/")),
        ("a\u{0}.example", .invalidCharacter("\u{0}")),
        ("fe80::1%eth0", .invalidCharacter("%")),
        ("[fe80::1%25eth0]", .invalidCharacter("%")),
        ("a..b", .emptyLabel),
        (".a", .emptyLabel),
        ("a..", .emptyLabel),
        (String(repeating: "a", count: 64) + ".example", .labelTooLong),
        (Array(repeating: String(repeating: "a", count: 60), count: 5).joined(separator: "."), .nameTooLong),
        ("[127.0.0.1]", .invalidIPv6),
        ("[::1", .invalidIPv6),
        ("::1]", .invalidIPv6),
        ("[example.com]", .invalidIPv6),
        ("[1:::2]", .invalidIPv6),
        // Numeric forms that getaddrinfo would quietly turn into an address.
        ("2130706433", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))),
        ("0177.0.0.1", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))),
        ("0x7f.1", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))),
        ("0x7F.0.0.1", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))),
        ("127.1", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))),
        ("127.000.000.001", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))),
        ("017700000001", .nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))),
        ("0", .nonCanonicalIPv4(meaning: IPv4Address(0, 0, 0, 0))),
        ("0xA9FEA9FE", .nonCanonicalIPv4(meaning: IPv4Address(169, 254, 169, 254))),
        ("012.0.0.1", .nonCanonicalIPv4(meaning: IPv4Address(10, 0, 0, 1))),
        ("1.2.3.4.5", .invalidIPv4),
        ("999.1.1.1", .invalidIPv4),
        ("08.1.1.1", .invalidIPv4),
        ("example.123", .invalidIPv4),
        ("example.0x", .invalidIPv4),
    ])
    func refused(text: String, refusal: HostRefusal) {
        #expect(throws: refusal) { try EgressHost(parsing: text) }
    }

    @Test func refusalsSayWhatWasMeant() {
        let refusal = HostRefusal.nonCanonicalIPv4(meaning: IPv4Address(127, 0, 0, 1))
        #expect(refusal.reason == "the host is a non-canonical form of the IPv4 address 127.0.0.1; write it as 127.0.0.1")
        #expect(HostRefusal.invalidCharacter(":").reason.contains("without port"))
    }

    @Test(arguments: [
        ("api.example.com", "api.example.com", true),
        ("api.example.com", "API.Example.com.", true),
        ("api.example.com", "x.api.example.com", false),
        ("api.example.com", "api.example.com.evil.net", false),
        ("api.example.com", "example.com", false),
        // A wildcard matches subdomains at any depth, never the bare domain.
        ("*.example.com", "a.example.com", true),
        ("*.example.com", "a.b.example.com", true),
        ("*.example.com", "A.Example.Com.", true),
        ("*.example.com", "example.com", false),
        ("*.example.com", "badexample.com", false),
        ("*.example.com", "example.com.evil.net", false),
        ("*.Example.COM", "a.example.com", true),
        ("*.com", "example.com", true),
        // Addresses match only themselves, in any spelling of the same address.
        ("10.0.0.1", "10.0.0.1", true),
        ("10.0.0.1", "10.0.0.2", false),
        ("[::1]", "0:0::1", true),
        ("::1", "[::1]", true),
        ("*.0.0.1.nip.io", "127.0.0.1.nip.io", true),
    ])
    func patternsMatch(pattern: String, host: String, matches: Bool) throws {
        #expect(try HostPattern(parsing: pattern).matches(try EgressHost(parsing: host)) == matches)
    }

    @Test(arguments: ["*", "*.", "", "**.example.com", "*.*.example.com", "a.*.example.com", "*example.com",
                      "*.10.0.0.1", "*.[::1]", "*.127.1", "example.*", "*.exa mple.com"])
    func malformedPatternsAreRefused(pattern: String) {
        #expect(throws: HostRefusal.self) { try HostPattern(parsing: pattern) }
    }

    @Test func exactBeatsWildcardAndLongerWildcardBeatsShorter() throws {
        let exact = try HostPattern(parsing: "a.b.example.com").specificity
        let longer = try HostPattern(parsing: "*.b.example.com").specificity
        let shorter = try HostPattern(parsing: "*.example.com").specificity
        #expect(exact > longer)
        #expect(longer > shorter)
        #expect(try HostPattern(parsing: "*.example.com").description == "*.example.com")
    }
}
