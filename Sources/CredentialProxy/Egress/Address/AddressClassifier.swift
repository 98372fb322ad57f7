/// Sorts addresses into `AddressClass`es, looking through the IPv6 forms that carry an IPv4
/// address (mapped, compatible, NAT64, 6to4) so `::ffff:127.0.0.1` is loopback like 127.0.0.1.
public struct AddressClassifier: Sendable {
    /// The machine's own addresses (see `LocalAddresses`); a public one is still not a destination.
    public let localAddresses: Set<IPAddress>

    public init(localAddresses: Set<IPAddress> = []) {
        self.localAddresses = localAddresses
    }

    public func classify(_ address: IPAddress) -> AddressClassification {
        switch address {
        case .v4(let v4):
            return AddressClassification(addressClass: classOf(v4), embedded: nil)
        case .v6(let v6):
            return classify(v6)
        }
    }

    private func classify(_ v6: IPv6Address) -> AddressClassification {
        if let range = AddressRanges.ipv6.first(where: { v6.isIn($0.base, prefixLength: $0.prefixLength) }) {
            return AddressClassification(addressClass: range.addressClass, embedded: nil)
        }
        if let embedded = EmbeddedIPv4(in: v6) {
            var addressClass = classOf(embedded.address)
            // ::a.b.c.d was deprecated in 2006; nothing legitimate is reached that way.
            if addressClass == .global && embedded.kind == .compatible { addressClass = .reserved }
            return AddressClassification(addressClass: addressClass, embedded: embedded)
        }
        if localAddresses.contains(.v6(v6)) { return AddressClassification(addressClass: .thisHost, embedded: nil) }
        // Only 2000::/3 is allocated for global unicast; the rest is refused rather than guessed at.
        let globalUnicast = v6.isIn(IPv6Address(high: 0x2000_0000_0000_0000, low: 0), prefixLength: 3)
        return AddressClassification(addressClass: globalUnicast ? .global : .reserved, embedded: nil)
    }

    private func classOf(_ v4: IPv4Address) -> AddressClass {
        let addressClass = AddressRanges.ipv4Class(of: v4)
        if addressClass == .global && localAddresses.contains(.v4(v4)) { return .thisHost }
        return addressClass
    }
}

/// An address's class and, for IPv6 forms that carry one, the IPv4 address it was judged by.
public struct AddressClassification: Sendable, Hashable {
    public let addressClass: AddressClass
    public let embedded: EmbeddedIPv4?
}

/// An IPv4 address carried inside an IPv6 one by a transition mechanism.
public struct EmbeddedIPv4: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case mapped = "IPv4-mapped"
        case compatible = "IPv4-compatible"
        case nat64 = "NAT64"
        case sixToFour = "6to4"
    }

    public let kind: Kind
    public let address: IPv4Address

    init?(in v6: IPv6Address) {
        if v6.isIn(IPv6Address(high: 0, low: 0xFFFF_0000_0000), prefixLength: 96) {
            (kind, address) = (.mapped, v6.ipv4(atBit: 96))
        } else if v6.isIn(IPv6Address(high: 0, low: 0), prefixLength: 96) {
            (kind, address) = (.compatible, v6.ipv4(atBit: 96))
        } else if v6.isIn(IPv6Address(high: 0x0064_FF9B_0000_0000, low: 0), prefixLength: 96) {
            (kind, address) = (.nat64, v6.ipv4(atBit: 96))
        } else if v6.isIn(IPv6Address(high: 0x2002_0000_0000_0000, low: 0), prefixLength: 16) {
            (kind, address) = (.sixToFour, v6.ipv4(atBit: 16))
        } else {
            return nil
        }
    }
}
