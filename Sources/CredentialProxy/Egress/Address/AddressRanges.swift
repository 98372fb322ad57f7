/// The special-purpose blocks of the IANA IPv4 and IPv6 registries that are not destinations on
/// the internet. Everything not listed here is global, except IPv6 outside 2000::/3, which is
/// treated as reserved (see `AddressClassifier`).
enum AddressRanges {
    struct V4 {
        let base: IPv4Address
        let prefixLength: Int
        let addressClass: AddressClass
    }

    struct V6 {
        let base: IPv6Address
        let prefixLength: Int
        let addressClass: AddressClass
    }

    /// Searched longest prefix first, so 255.255.255.255/32 is broadcast, not reserved by 240/4.
    static let ipv4: [V4] = [
        v4("255.255.255.255", 32, .broadcast),
        v4("192.0.0.0", 24, .reserved),  // IETF protocol assignments (192.0.0.192 is Oracle's metadata)
        v4("192.0.2.0", 24, .documentation),
        v4("192.88.99.0", 24, .reserved),  // the deprecated 6to4 relay anycast block
        v4("198.51.100.0", 24, .documentation),
        v4("203.0.113.0", 24, .documentation),
        v4("169.254.0.0", 16, .linkLocal),
        v4("192.168.0.0", 16, .privateNetwork),
        v4("198.18.0.0", 15, .benchmarking),
        v4("172.16.0.0", 12, .privateNetwork),
        v4("100.64.0.0", 10, .sharedAddressSpace),
        v4("0.0.0.0", 8, .unspecified),  // "this network": Linux connects 0.0.0.0 to itself
        v4("10.0.0.0", 8, .privateNetwork),
        v4("127.0.0.0", 8, .loopback),
        v4("224.0.0.0", 4, .multicast),
        v4("240.0.0.0", 4, .reserved)
    ].sorted { $0.prefixLength > $1.prefixLength }

    /// Blocks that the IPv4 embeddings (mapped, compatible, NAT64, 6to4) do not already cover.
    static let ipv6: [V6] = [
        v6("::", 128, .unspecified),
        v6("::1", 128, .loopback),
        v6("64:ff9b:1::", 48, .privateNetwork),  // local-use NAT64 (RFC 8215)
        v6("2001:2::", 48, .benchmarking),
        v6("100::", 64, .reserved),  // discard-only
        v6("2001::", 32, .teredo),
        v6("2001:db8::", 32, .documentation),
        v6("3fff::", 20, .documentation),
        v6("2001::", 23, .reserved),  // IETF protocol assignments
        v6("fe80::", 10, .linkLocal),
        v6("fec0::", 10, .privateNetwork),  // deprecated site-local
        v6("ff00::", 8, .multicast),
        v6("fc00::", 7, .uniqueLocal)
    ].sorted { $0.prefixLength > $1.prefixLength }

    static func ipv4Class(of address: IPv4Address) -> AddressClass {
        ipv4.first { address.isIn($0.base, prefixLength: $0.prefixLength) }?.addressClass ?? .global
    }

    private static func v4(_ text: String, _ prefixLength: Int, _ addressClass: AddressClass) -> V4 {
        V4(base: IPv4Address(dottedQuad: text)!, prefixLength: prefixLength, addressClass: addressClass)
    }

    private static func v6(_ text: String, _ prefixLength: Int, _ addressClass: AddressClass) -> V6 {
        V6(base: IPv6Address(text)!, prefixLength: prefixLength, addressClass: addressClass)
    }
}
