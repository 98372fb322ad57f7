import Glibc

/// A host a leaf certificate may name: a lowercase DNS name or an IP address. Agents choose
/// these (CONNECT targets, SNI), so everything unusual is refused rather than passed on to
/// OpenSSL: wildcards, non-ASCII (IDNs arrive as xn-- labels), empty or over-long labels,
/// numbers that only look like an IPv4 address.
public struct CertificateHost: Hashable, Sendable, CustomStringConvertible {
    /// The canonical text: the lowercase name without a trailing dot, or the address as
    /// `inet_ntop` writes it.
    public let text: String
    /// The 4 or 16 address bytes for an IP literal; nil for a name.
    public let ipAddress: [UInt8]?

    public static let maximumNameLength = 253
    public static let maximumLabelLength = 63

    public init(_ raw: String) throws(CertificateError) {
        if let address = Self.ipAddress(raw) {
            (text, ipAddress) = address
            return
        }
        text = try Self.dnsName(raw)
        ipAddress = nil
    }

    public var description: String { text }

    /// An IPv4 literal in dotted-quad form, or IPv6 with or without brackets (no zone index).
    private static func ipAddress(_ raw: String) -> (String, [UInt8])? {
        var literal = raw
        if literal.hasPrefix("[") && literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        for (family, size) in [(AF_INET, 4), (AF_INET6, 16)] {
            var bytes = [UInt8](repeating: 0, count: size)
            guard inet_pton(family, literal, &bytes) == 1 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(family, bytes, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return (buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }, bytes)
        }
        return nil
    }

    private static func dnsName(_ raw: String) throws(CertificateError) -> String {
        func refuse(_ reason: String) -> CertificateError { .invalidHost(raw, reason: reason) }
        // Checked before lowercasing: Unicode case mapping turns some non-ASCII into ASCII
        // (the Kelvin sign becomes "k").
        guard raw.utf8.allSatisfy({ $0 < 0x80 }) else { throw refuse("it is not ASCII (IDNs must arrive as xn-- labels)") }
        var name = raw.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw refuse("it is empty") }
        guard name.utf8.count <= maximumNameLength else { throw refuse("it is longer than \(maximumNameLength) characters") }
        guard !name.contains("*") else { throw refuse("wildcard certificates are never issued") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { throw refuse("it has an empty label") }
            guard label.utf8.count <= maximumLabelLength else { throw refuse("a label is longer than \(maximumLabelLength) characters") }
            guard label.utf8.allSatisfy(isNameCharacter) else {
                throw refuse("only letters, digits, '-', '_' and '.' are allowed (IDNs as xn-- labels)")
            }
            guard label.first != "-", label.last != "-" else { throw refuse("a label starts or ends with '-'") }
        }
        // Resolvers and URL parsers read a name ending in a number as an IPv4 address
        // ("1.2.3", "0x7f.1"), so a certificate for it would name something else.
        if let last = labels.last, last.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) || last.hasPrefix("0x") {
            throw refuse("it looks like an IPv4 address but is not a dotted quad")
        }
        return name
    }

    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x61...0x7A, 0x30...0x39, 0x2D, 0x5F: return true  // a-z 0-9 - _
        default: return false
        }
    }
}
