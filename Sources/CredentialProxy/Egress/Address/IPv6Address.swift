import Glibc

/// An IPv6 address as two 64-bit halves in network order (`high` holds the first 8 bytes).
public struct IPv6Address: Sendable, Hashable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
        let all = Array(bytes)
        high = all[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = all[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Any text form `inet_pton` accepts (`::1`, `::ffff:127.0.0.1`, …); no brackets, no zone.
    public init?(_ text: String) {
        var raw = in6_addr()
        guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
        self.init(bytes: withUnsafeBytes(of: &raw) { Array($0) })
    }

    /// The IPv4-mapped form `::ffff:a.b.c.d` of an IPv4 address.
    public init(mapping v4: IPv4Address) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4.value))
    }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64($0))) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64($0))) }
    }

    /// Whether the address lies in `base/prefixLength`.
    public func isIn(_ base: IPv6Address, prefixLength: Int) -> Bool {
        func masked(_ half: UInt64, bits: Int) -> UInt64 {
            bits <= 0 ? 0 : bits >= 64 ? half : half & (UInt64.max << UInt64(64 - bits))
        }
        return masked(high, bits: prefixLength) == masked(base.high, bits: prefixLength)
            && masked(low, bits: prefixLength - 64) == masked(base.low, bits: prefixLength - 64)
    }

    /// 32 bits starting `bitOffset` bits into the address: where the transition mechanisms
    /// (mapped, NAT64, 6to4, Teredo) keep an IPv4 address.
    func ipv4(atBit bitOffset: Int) -> IPv4Address {
        let bytes = self.bytes
        let start = bitOffset / 8
        return IPv4Address(bytes[start], bytes[start + 1], bytes[start + 2], bytes[start + 3])
    }

    /// The canonical text form (RFC 5952, as `inet_ntop` writes it).
    public var description: String {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return "invalid" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
