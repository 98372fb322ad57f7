@testable import CredentialProxy
import Glibc
import Testing

@Suite("Egress: IP addresses")
struct EgressAddressTests {
    @Test(arguments: ["1.2.3.4", "0.0.0.0", "255.255.255.255", "10.0.0.1", "127.0.0.1"])
    func canonicalDottedQuadsParse(text: String) throws {
        let address = try #require(IPv4Address(dottedQuad: text))
        #expect(address.description == text)
    }

    @Test(arguments: ["01.2.3.4", "1.2.3", "256.1.1.1", "1.2.3.4.", "", "+1.2.3.4", "1.2.3.-4", "1.2.3.4.5",
                      "0x7f.0.0.1", "2130706433", "1..2.3", " 1.2.3.4", "1.2.3.0004"])
    func otherFormsAreNotDottedQuads(text: String) {
        #expect(IPv4Address(dottedQuad: text) == nil)
    }

    /// The inet_aton forms that reach loopback, metadata and private addresses.
    @Test(arguments: [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0X7F.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0x7F.0.0.0x1", "127.0.0.1"),
        ("127.000.000.001", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("3232235521", "192.168.0.1"),
        ("012.0.0.1", "10.0.0.1"),
        ("167772161", "10.0.0.1"),
        ("1.2.3.4", "1.2.3.4"),
        ("4294967295", "255.255.255.255"),
    ])
    func inetAtonFormsAreReadAsTheResolverReadsThem(text: String, meaning: String) throws {
        #expect(IPv4Address(inetAton: text)?.description == meaning)
        // And glibc agrees, so this is what getaddrinfo would have dialled.
        if text != "0x" {
            var raw = in_addr()
            #expect(inet_aton(text, &raw) == 1)
            #expect(IPv4Address(value: UInt32(bigEndian: raw.s_addr)).description == meaning)
        }
    }

    @Test(arguments: ["4294967296", "256.1", "1.256.1", "1.2.3.256", "1.2.3.4.5", "08", "0x1g", "1..2", "", ".",
                      "1.2.3.4 ", "0x100000000", "99999999999999999999"])
    func inetAtonRefusesWhatGlibcRefuses(text: String) {
        #expect(IPv4Address(inetAton: text) == nil)
        var raw = in_addr()
        if !text.hasSuffix(" ") {  // glibc accepts trailing whitespace; warden's host parser refuses spaces anyway
            #expect(inet_aton(text, &raw) == 0)
        }
    }

    @Test(arguments: [
        ("::1", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("::FFFF:127.0.0.1", "::ffff:127.0.0.1"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("fe80::1", "fe80::1"),
        ("::", "::"),
    ])
    func ipv6ParsesToItsCanonicalText(text: String, canonical: String) throws {
        let address = try #require(IPv6Address(text))
        #expect(address.description == canonical)
        #expect(IPv6Address(bytes: address.bytes) == address)
    }

    @Test(arguments: ["1:::2", "fe80::1%eth0", "[::1]", "::1::", "12345::", "1.2.3.4", "", "g::1"])
    func invalidIPv6IsRefused(text: String) {
        #expect(IPv6Address(text) == nil)
    }

    @Test func prefixesCompareTheRightBits() throws {
        let address = try #require(IPv6Address("2001:db8:ffff::1"))
        #expect(address.isIn(try #require(IPv6Address("2001:db8::")), prefixLength: 32))
        #expect(!address.isIn(try #require(IPv6Address("2001:db9::")), prefixLength: 32))
        #expect(address.isIn(try #require(IPv6Address("::")), prefixLength: 0))
        #expect(address.isIn(address, prefixLength: 128))
        #expect(!address.isIn(try #require(IPv6Address("2001:db8:ffff::2")), prefixLength: 128))
        #expect(address.isIn(try #require(IPv6Address("2001:db8:ffff::")), prefixLength: 64))
        #expect(IPv4Address(10, 1, 2, 3).isIn(IPv4Address(10, 0, 0, 0), prefixLength: 8))
        #expect(!IPv4Address(11, 1, 2, 3).isIn(IPv4Address(10, 0, 0, 0), prefixLength: 8))
        #expect(IPv4Address(11, 1, 2, 3).isIn(IPv4Address(10, 0, 0, 0), prefixLength: 0))
    }

    @Test func theLoopbackInterfaceIsAmongThisHostsAddresses() {
        let local = LocalAddresses.current()
        #expect(local.contains(.v4(IPv4Address(127, 0, 0, 1))))
    }
}
