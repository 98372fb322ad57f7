import Glibc

/// The rules an egress rule's fields follow. The proxy compares them with requests it has
/// already normalised (lowercased host, dot-segments resolved, no encoded slashes), so a field
/// that could never equal such a request, or that could be read two ways, is refused here
/// rather than stored as a rule that silently never matches.
enum RuleValidation {
    static let maxMethods = 32
    static let rateLimits: ClosedRange<Int> = 1...100_000

    static func invalid(_ param: String, _ message: String) -> CoreError {
        .invalid(param: param, code: "invalid_rule", message: message)
    }

    // MARK: host

    /// The host lowercased, without a trailing dot: a name, `*.` followed by a name, an IPv4
    /// address, or an IPv6 address in brackets (canonical form).
    static func host(_ raw: String) throws(CoreError) -> String {
        guard !raw.isEmpty else { throw invalid("host", "'host' must not be empty.") }
        guard raw.utf8.count <= 255 else { throw invalid("host", "'host' is longer than a host name can be (253 characters).") }
        guard raw.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw invalid("host", "'host' must be ASCII; write an internationalised name in its 'xn--' form.")
        }
        guard raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw invalid("host", "'host' must not contain spaces or control characters.")
        }
        if raw.contains("://") {
            throw invalid("host", "'host' is a host name, not a URL: leave out the scheme (e.g. 'https://').")
        }
        if raw.hasPrefix("[") { return try ipv6(raw) }
        if raw.contains(where: { "/?#".contains($0) }) {
            throw invalid("host", "'host' must not contain a path; put the path in 'path_prefix'.")
        }
        if raw.contains(":") { throw invalid("host", "'host' must not contain a port; a rule names the host alone.") }
        if raw.contains("@") { throw invalid("host", "'host' must not contain user information ('user@').") }

        var host = raw.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        if host == "*" || host == "*." {
            throw invalid("host", "A bare '*' would match every host; name a host, or a '*.suffix' such as '*.example.com'.")
        }
        let wildcard = host.hasPrefix("*.")
        let name = wildcard ? String(host.dropFirst(2)) : host
        if name.contains("*") {
            throw invalid("host", "'*' may only be the whole first label, as in '*.example.com'.")
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.utf8.count <= 253, labels.allSatisfy(isLabel) else {
            throw invalid("host", "'\(raw)' is not a host name: labels of letters, digits and '-' (not at either end of a label), separated by single dots.")
        }
        // No top-level domain is all digits, so such a name is meant as an IPv4 address.
        if let last = labels.last, last.utf8.allSatisfy(isDigit) {
            guard !wildcard else { throw invalid("host", "A '*.' wildcard covers names, not IPv4 addresses; name the address itself.") }
            guard labels.count == 4, labels.allSatisfy(isOctet) else {
                throw invalid("host", "'\(raw)' is not an IPv4 address: four numbers from 0 to 255, without leading zeros.")
            }
        }
        return host
    }

    private static func isLabel(_ label: Substring) -> Bool {
        guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
        return label.utf8.allSatisfy { isDigit($0) || (97...122).contains($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isOctet(_ label: Substring) -> Bool {
        guard let value = Int(label), (0...255).contains(value) else { return false }
        return label == "0" || !label.hasPrefix("0")
    }

    /// `[address]`, rewritten in the canonical form of RFC 5952 so one address has one spelling.
    private static func ipv6(_ raw: String) throws(CoreError) -> String {
        guard raw.hasSuffix("]"), raw.count > 2 else {
            throw invalid("host", "'\(raw)' is not an IPv6 address in brackets (e.g. '[fd00::1]'); a rule names no port.")
        }
        let inner = String(raw.dropFirst().dropLast())
        var address = in6_addr()
        guard !inner.contains("%"), inet_pton(AF_INET6, inner, &address) == 1 else {
            throw invalid("host", "'\(raw)' is not an IPv6 address (zone ids such as '%eth0' are not accepted).")
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else {
            throw invalid("host", "'\(raw)' is not an IPv6 address.")
        }
        return "[" + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "]"
    }

    // MARK: methods

    /// Upper-cased and deduplicated, in the order given; nil means every method.
    static func methods(_ raw: [String]?) throws(CoreError) -> [String]? {
        guard let raw else { return nil }
        guard !raw.isEmpty else {
            throw invalid("methods", "'methods' must not be empty; leave it out (or null) to match every method.")
        }
        guard raw.count <= maxMethods else { throw invalid("methods", "'methods' lists at most \(maxMethods) methods.") }
        var methods: [String] = []
        for (index, method) in raw.enumerated() {
            let param = "methods[\(index)]"
            guard (1...32).contains(method.utf8.count), method.utf8.allSatisfy(isTokenCharacter) else {
                throw invalid(param, "'\(method)' is not an HTTP method name (e.g. GET, POST).")
            }
            let upper = method.uppercased()
            if upper == "TRACE" { throw invalid(param, "TRACE is always refused by the proxy; no rule can allow it.") }
            if upper == "CONNECT" {
                throw invalid(param, "CONNECT needs no rule: a tunnel to a host follows that host's rules. List the methods of the requests sent through it.")
            }
            if !methods.contains(upper) { methods.append(upper) }
        }
        return methods
    }

    /// RFC 9110 `tchar`: what a method name is made of.
    private static func isTokenCharacter(_ c: UInt8) -> Bool {
        isDigit(c) || (65...90).contains(c) || (97...122).contains(c) || "!#$%&'*+-.^_`|~".utf8.contains(c)
    }

    // MARK: path_prefix

    static func pathPrefix(_ raw: String?) throws(CoreError) -> String? {
        guard let raw else { return nil }
        guard raw.hasPrefix("/") else { throw invalid("path_prefix", "'path_prefix' must start with '/', e.g. '/v1/'.") }
        guard raw.utf8.count <= 2048 else { throw invalid("path_prefix", "'path_prefix' is limited to 2048 bytes.") }
        if raw.contains(where: { $0 == "?" || $0 == "#" }) {
            throw invalid("path_prefix", "'path_prefix' must not contain a query or fragment ('?', '#'): rules match the path alone.")
        }
        if raw.contains("//") { throw invalid("path_prefix", "'path_prefix' must not contain an empty segment ('//').") }
        if raw.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) {
            throw invalid("path_prefix", "'path_prefix' must not contain '.' or '..' segments: the proxy matches paths with them resolved.")
        }
        try percentEncoding(raw)
        if let bad = raw.unicodeScalars.first(where: { !isPathCharacter($0) }) {
            let shown = bad.value < 0x21 || bad.value > 0x7E ? "U+\(String(bad.value, radix: 16, uppercase: true))" : "'\(bad)'"
            throw invalid("path_prefix", "\(shown) cannot appear in a path as it is; percent-encode it (e.g. '%20' for a space).")
        }
        return raw
    }

    /// Every `%` starts a `%HH` escape, and none encodes '/', '\' or '.', which would let one
    /// path be spelled two ways.
    private static func percentEncoding(_ path: String) throws(CoreError) {
        let bytes = Array(path.utf8)
        var i = 0
        while i < bytes.count {
            defer { i += 1 }
            guard bytes[i] == UInt8(ascii: "%") else { continue }
            guard i + 2 < bytes.count, let high = Crypto.hexDigitValue(bytes[i + 1]), let low = Crypto.hexDigitValue(bytes[i + 2]) else {
                throw invalid("path_prefix", "'path_prefix' has a '%' that does not start a '%HH' escape.")
            }
            switch high << 4 | low {
            case 0x2F, 0x5C:
                throw invalid("path_prefix", "'path_prefix' must not contain an encoded slash ('%2F' or '%5C'); the proxy refuses such requests.")
            case 0x2E:
                throw invalid("path_prefix", "'path_prefix' must not contain an encoded dot ('%2E'); write '.' itself.")
            default: i += 2
            }
        }
    }

    /// RFC 3986 `pchar` and '/'; '%' is checked by `percentEncoding`.
    private static func isPathCharacter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        let c = UInt8(scalar.value)
        return isDigit(c) || (65...90).contains(c) || (97...122).contains(c) || "-._~!$&'()*+,;=:@/%".utf8.contains(c)
    }


    // MARK: action and rate limit

    static func action(_ raw: String) throws(CoreError) -> RuleAction {
        guard let action = RuleAction(rawValue: raw) else {
            throw invalid("action", "'action' must be one of: allow, deny, approve.")
        }
        return action
    }

    static func rateLimit(_ raw: Int?, action: RuleAction) throws(CoreError) -> Int? {
        guard let raw else { return nil }
        guard rateLimits.contains(raw) else {
            throw invalid("rate_limit_per_minute", "'rate_limit_per_minute' must be a whole number from 1 to 100000, or null for no limit.")
        }
        guard action != .deny else {
            throw invalid("rate_limit_per_minute", "A 'deny' rule lets nothing through, so it takes no 'rate_limit_per_minute'.")
        }
        return raw
    }

    private static func isDigit(_ c: UInt8) -> Bool { (48...57).contains(c) }
}
