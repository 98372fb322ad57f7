import Core
import Testing

@Suite struct WebhookURLTests {
    @Test func acceptedURLsAndWhatIsDialled() throws {
        let cases: [(String, secure: Bool, host: String, port: Int, target: String, origin: String)] = [
            ("https://hooks.example.com/warden", true, "hooks.example.com", 443, "/warden", "https://hooks.example.com"),
            ("HTTPS://Hooks.Example.COM", true, "hooks.example.com", 443, "/", "https://hooks.example.com"),
            ("http://127.0.0.1:8080/in?token=abc&x=%2F", false, "127.0.0.1", 8080, "/in?token=abc&x=%2F", "http://127.0.0.1:8080"),
            ("http://example.com?x=1", false, "example.com", 80, "/?x=1", "http://example.com"),
            ("https://[2001:db8::1]:8443/h", true, "2001:db8::1", 8443, "/h", "https://[2001:db8::1]:8443"),
            ("https://my_host.internal./a/b;c=d@e", true, "my_host.internal.", 443, "/a/b;c=d@e", "https://my_host.internal."),
        ]
        for (text, secure, host, port, target, origin) in cases {
            let url = try WebhookURL(parsing: text)
            #expect(url.isSecure == secure && url.host == host && url.port == port && url.target == target, "\(text)")
            #expect(url.origin == origin, "\(text)")
        }
    }

    @Test func refusedURLsSayWhy() {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("hooks.example.com/warden", "https://"),
            ("ftp://example.com", "https://"),
            ("https://", "needs a host"),
            ("https:///path", "needs a host"),
            ("https://:443/", "needs a host"),
            ("https://user:pw@example.com/", "user information"),
            ("https://example.com/#top", "fragment"),
            ("https://exa mple.com/", "spaces"),
            ("https://bücher.de/", "ASCII"),
            ("https://example.com:0/", "port"),
            ("https://example.com:65536/", "port"),
            ("https://example.com:80a/", "port"),
            ("https://example..com/", "not a host name"),
            ("https://ex%41mple.com/", "not a host name"),
            ("https://[::1/", "unclosed"),
            ("https://[zz::1]/", "not an IPv6 address"),
            ("https://[::1]x/", "after the IPv6"),
            ("https://example.com/a%zz", "two hexadecimal digits"),
            ("https://example.com/a%2", "two hexadecimal digits"),
            ("https://example.com/a\"b", "percent-encode"),
            ("https://example.com/<script>", "percent-encode"),
            ("https://example.com/" + String(repeating: "a", count: 2048), "longer than"),
        ]
        for (text, reason) in cases {
            #expect(throws: WebhookURLError.self, "\(text)") { try WebhookURL(parsing: text) }
            do {
                _ = try WebhookURL(parsing: text)
            } catch {
                #expect(error.reason.contains(reason), "\(text): \(error.reason)")
            }
        }
    }
}
