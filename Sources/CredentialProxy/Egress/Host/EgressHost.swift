/// A destination host in the one form rules compare: a lower-case DNS name without its trailing
/// dot, a canonical dotted quad, or a canonical IPv6 address. Anything a resolver might read
/// differently from a rule is refused (`HostRefusal`): non-ASCII names, and the numeric forms
/// `inet_aton` accepts (`2130706433` is 127.0.0.1 to getaddrinfo).
public struct EgressHost: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case name
        case ipv4(IPv4Address)
        case ipv6(IPv6Address)
    }

    /// Lower-case name, dotted quad, or IPv6 text without brackets.
    public let name: String
    public let kind: Kind

    /// `text` is a host alone, as in a Host header or CONNECT target with the port split off:
    /// `api.example.com`, `API.Example.COM.`, `10.0.0.1`, `[::1]` or `::1`.
    public init(parsing text: some StringProtocol) throws(HostRefusal) {
        guard text.allSatisfy(\.isASCII) else { throw .nonASCII }
        var host = text.lowercased()
        let bracketed = host.hasPrefix("[") || host.hasSuffix("]")
        if bracketed {
            guard host.hasPrefix("[") && host.hasSuffix("]") else { throw .invalidIPv6 }
            host = String(host.dropFirst().dropLast())
            guard host.contains(":") else { throw .invalidIPv6 }
        }
        // A zone id (`fe80::1%eth0`) picks an interface, which is not the agent's to pick.
        guard !host.contains("%") else { throw .invalidCharacter("%") }
        if host.contains(":") {
            guard let address = IPv6Address(host) else {
                throw bracketed ? .invalidIPv6 : .invalidCharacter(":")  // most likely host:port
            }
            self.init(name: address.description, kind: .ipv6(address))
            return
        }
        if host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty else { throw .empty }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if let last = labels.last, Self.isNumeric(last) {
            guard let address = IPv4Address(inetAton: host) else { throw .invalidIPv4 }
            guard IPv4Address(dottedQuad: host) != nil else { throw .nonCanonicalIPv4(meaning: address) }
            self.init(name: host, kind: .ipv4(address))
            return
        }
        try Self.validateName(host, labels: labels)
        self.init(name: host, kind: .name)
    }

    private init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The address itself when the host is an IP literal: no lookup is needed, or wanted.
    public var ipAddress: IPAddress? {
        switch kind {
        case .name: return nil
        case .ipv4(let address): return .v4(address)
        case .ipv6(let address): return .v6(address)
        }
    }

    /// As it appears in a URL authority: IPv6 in brackets.
    public var description: String {
        if case .ipv6 = kind { return "[\(name)]" }
        return name
    }

    /// The WHATWG URL rule: a host whose last label is a decimal or 0x-hex number is IPv4.
    /// No top-level domain is numeric, so no real name is caught by it.
    private static func isNumeric(_ label: Substring) -> Bool {
        if label.hasPrefix("0x") { return label.dropFirst(2).allSatisfy(\.isHexDigit) }
        return !label.isEmpty && label.allSatisfy(\.isASCIIDigit)
    }

    private static func validateName(_ host: String, labels: [Substring]) throws(HostRefusal) {
        guard host.utf8.count <= 253 else { throw .nameTooLong }
        for label in labels {
            guard !label.isEmpty else { throw .emptyLabel }
            guard label.utf8.count <= 63 else { throw .labelTooLong }
            // Underscores are not LDH but appear in real names (_dmarc, service records).
            if let bad = label.first(where: { !($0.isLetter || $0.isASCIIDigit || $0 == "-" || $0 == "_") }) {
                throw .invalidCharacter(bad)
            }
        }
    }
}
