@testable import CredentialProxy
import Testing

@Suite("Proxy CA: hosts a leaf may name")
struct CertificateHostTests {
    @Test(arguments: [
        ("example.com", "example.com"),
        ("API.Example.COM", "api.example.com"),
        ("example.com.", "example.com"),
        ("localhost", "localhost"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("under_score.example.com", "under_score.example.com"),
        ("r3---sn-abc.googlevideo.com", "r3---sn-abc.googlevideo.com"),
        ("1password.com", "1password.com"),
    ])
    func namesAreLowercasedAndKept(raw: String, expected: String) throws {
        let host = try CertificateHost(raw)
        #expect(host.text == expected)
        #expect(host.ipAddress == nil)
    }

    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1", [127, 0, 0, 1] as [UInt8]),
        ("::1", "::1", [UInt8](repeating: 0, count: 15) + [1]),
        ("[::1]", "::1", [UInt8](repeating: 0, count: 15) + [1]),
        ("2001:DB8:0:0::1", "2001:db8::1", [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]),
    ])
    func ipLiteralsBecomeAddresses(raw: String, text: String, bytes: [UInt8]) throws {
        let host = try CertificateHost(raw)
        #expect(host.text == text)
        #expect(host.ipAddress == bytes)
    }

    @Test(arguments: [
        "", ".", "*.example.com", "*", "a*.example.com", "example..com", ".example.com",
        "-example.com", "example-.com", "exa mple.com", "example.com:443", "exa/mple.com", "exa%mple.com",
        "bücher.example", "\u{212A}.example.com",  // the Kelvin sign lowercases to an ASCII "k"
        "fe80::1%eth0", "1.2.3", "01.2.3.4", "256.1.1.1", "0x7f.0.0.1", "example.0x7f", "example.123",
        String(repeating: "a", count: 64) + ".com",
        Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: "."),  // 255 characters
        "example.com\0.evil", "example.com\r\nX: y",
    ])
    func anythingElseIsRefused(raw: String) {
        #expect(throws: CertificateError.self) { try CertificateHost(raw) }
    }

    @Test func theLongestNameIsAccepted() throws {
        let name = Array(repeating: String(repeating: "a", count: 63), count: 3).joined(separator: ".") + "." + String(repeating: "b", count: 61)
        #expect(name.count == 253)
        #expect(try CertificateHost(name).text == name)
    }

    @Test func refusalsSayWhy() {
        do {
            _ = try CertificateHost("*.example.com")
            Issue.record("accepted a wildcard")
        } catch {
            #expect(error.description == "No certificate can be issued for the host \"*.example.com\": wildcard certificates are never issued.")
        }
    }
}
