/// What kind of destination an address is, for deciding whether the proxy may dial it.
public enum AddressClass: String, Sendable, Hashable, CaseIterable {
    /// Publicly routable: dialled when a rule allows the host.
    case global
    case loopback
    /// RFC 1918 (10/8, 172.16/12, 192.168/16), local-use NAT64 and deprecated site-local fec0::/10.
    case privateNetwork
    /// 100.64/10, the carrier-grade NAT range (cloud metadata such as 100.100.100.200 lives here).
    case sharedAddressSpace
    /// 169.254/16 and fe80::/10; 169.254.169.254 is the metadata service of most clouds.
    case linkLocal
    case uniqueLocal
    case unspecified
    case multicast
    case broadcast
    case documentation
    case benchmarking
    /// Set aside by IANA and not a destination on the internet (240/4, IETF protocol blocks, …).
    case reserved
    /// 2001::/32: a tunnel whose endpoints are IPv4 addresses that cannot be checked from here.
    case teredo
    /// One of the addresses of the machine warden runs on.
    case thisHost

    /// Addresses that are never a connection's destination, whatever a rule says.
    var isUnicast: Bool { self != .unspecified && self != .multicast && self != .broadcast }

    /// Whether the proxy may dial it: global ones always; other unicast ones only when a rule
    /// names the host explicitly (SPEC §5); unspecified, multicast and broadcast never.
    public func permitsDial(allowPrivate: Bool) -> Bool {
        self == .global || (allowPrivate && isUnicast)
    }

    /// "a loopback address", as the agent reads it in a refusal.
    public var phrase: String {
        switch self {
        case .global: return "a public address"
        case .loopback: return "a loopback address"
        case .privateNetwork: return "a private address"
        case .sharedAddressSpace: return "a carrier-grade NAT (shared) address"
        case .linkLocal: return "a link-local/metadata address"
        case .uniqueLocal: return "a unique-local address"
        case .unspecified: return "an unspecified address"
        case .multicast: return "a multicast address"
        case .broadcast: return "a broadcast address"
        case .documentation: return "a documentation address"
        case .benchmarking: return "a benchmarking address"
        case .reserved: return "a reserved address"
        case .teredo: return "a Teredo tunnel address"
        case .thisHost: return "an address of warden's own host"
        }
    }
}
