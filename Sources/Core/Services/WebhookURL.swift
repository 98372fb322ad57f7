import Glibc

/// Where an outbound webhook is POSTed: `http(s)://host[:port][/path][?query]`. Checked when
/// the webhook is created (a refusal says what is wrong) and parsed again for each delivery.
/// Stricter than RFC 3986 where a laxer reading could be read two ways: ASCII only, no user
/// information (it would travel in the clear and in logs), no fragment (never sent), and `%`
/// only as `%HH`.
public struct WebhookURL: Sendable, Equatable, CustomStringConvertible {
    public static let maxLength = 2048

    public let isSecure: Bool
    /// A DNS name or an IP address, without brackets, lowercased.
    public let host: String
    public let port: Int
    /// Path and query, as the request line carries them; at least `/`.
    public let target: String

    public init(parsing text: String) throws(WebhookURLError) {
        guard !text.isEmpty else { throw .init("must not be empty") }
        guard text.utf8.count <= Self.maxLength else { throw .init("is longer than \(Self.maxLength) characters") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .init("must be ASCII without spaces or control characters; percent-encode anything else")
        }
        let lower = text.lowercased()
        isSecure = lower.hasPrefix("https://")
        guard isSecure || lower.hasPrefix("http://") else {
            throw .init("must be an absolute URL starting with https:// or http://")
        }
        guard !text.contains("#") else { throw .init("must not have a fragment ('#…'): it is never sent") }
        let rest = text.dropFirst(isSecure ? "https://".count : "http://".count)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        guard !authority.contains("@") else {
            throw .init("must not carry user information ('user@'); put a token in the path or query instead")
        }
        (host, port) = try Self.hostAndPort(authority, defaultPort: isSecure ? 443 : 80)
        let tail = String(rest[authorityEnd...])
        try Self.checkPathAndQuery(tail)
        target = tail.isEmpty ? "/" : (tail.hasPrefix("?") ? "/" + tail : tail)
    }

    /// `scheme://host[:port]` without path or query, which may carry a token: what audit
    /// records and log lines name.
    public var origin: String {
        let name = host.contains(":") ? "[\(host)]" : host
        let defaultPort = isSecure ? 443 : 80
        return "\(isSecure ? "https" : "http")://\(name)\(port == defaultPort ? "" : ":\(port)")"
    }

    public var description: String { origin }

    private static func hostAndPort(_ authority: String, defaultPort: Int) throws(WebhookURLError) -> (String, Int) {
        guard !authority.isEmpty else { throw .init("needs a host") }
        var hostPart = Substring(authority)
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .init("has an unclosed '[' around an IPv6 address") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .init("has characters after the IPv6 address's ']'") }
                portPart = after.dropFirst()
            }
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(hostPart), &address) == 1 else {
                throw .init("has '[\(hostPart)]', which is not an IPv6 address")
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            }
            guard !hostPart.isEmpty else { throw .init("needs a host") }
            guard hostPart.utf8.count <= 253, isHostName(hostPart) else {
                throw .init("has '\(hostPart)', which is not a host name: labels of letters, digits, '-' and '_' separated by single dots (IPv6 addresses go in brackets)")
            }
        }
        var port = defaultPort
        if let portPart {
            guard let value = Int(portPart), portPart.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), (1...65535).contains(value) else {
                throw .init("has a port that is not a number from 1 to 65535")
            }
            port = value
        }
        return (hostPart.lowercased(), port)
    }

    private static func isHostName(_ name: Substring) -> Bool {
        var name = name
        if name.hasSuffix(".") { name = name.dropLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63
                && label.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        }
    }

    /// RFC 3986 path and query characters, with every `%` starting a `%HH`.
    private static func checkPathAndQuery(_ text: String) throws(WebhookURLError) {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, Crypto.hexDigitValue(bytes[i + 1]) != nil, Crypto.hexDigitValue(bytes[i + 2]) != nil else {
                    throw .init("has a '%' that is not followed by two hexadecimal digits")
                }
                i += 3
                continue
            }
            guard isAlphanumeric(c) || "-._~!$&'()*+,;=:@/?".utf8.contains(c) else {
                throw .init("has '\(Character(Unicode.Scalar(c)))' in its path or query; percent-encode it")
            }
            i += 1
        }
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
}

/// Why a text is not a usable webhook URL: the end of a sentence starting "'url' …".
public struct WebhookURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { "the URL \(reason)" }
}
