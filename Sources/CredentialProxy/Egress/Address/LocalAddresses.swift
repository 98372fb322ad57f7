import Glibc
import Synchronization

/// The addresses of this machine's interfaces. A rule allowing `example.com` must not reach
/// warden's own public address through a name that resolves to it, so these are refused too.
public enum LocalAddresses {
    /// Enumerated afresh on each call (`getifaddrs`), since DHCP and VPNs change them; empty
    /// if the kernel will not say, which leaves the other checks in force.
    @Sendable public static func current() -> Set<IPAddress> {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0 else { return [] }
        defer { freeifaddrs(first) }
        var addresses: Set<IPAddress> = []
        var entry = first
        while let current = entry {
            if let sockaddr = current.pointee.ifa_addr, let address = IPAddress(sockaddr: sockaddr) {
                addresses.insert(address)
            }
            entry = current.pointee.ifa_next
        }
        return addresses
    }

    /// `current()` at most a second old: `getifaddrs` on every proxied request cost about 7% of
    /// warden's CPU under load (bench/proxy.sh), and an address change a second late is
    /// no weaker than one made a second later.
    @Sendable public static func recent() -> Set<IPAddress> {
        let now = ContinuousClock.now
        if let fresh = cache.withLock({ entry in entry.flatMap { now - $0.at < .seconds(1) ? $0.addresses : nil } }) {
            return fresh
        }
        let addresses = current()
        cache.withLock { $0 = (now, addresses) }
        return addresses
    }

    private static let cache = Mutex<(at: ContinuousClock.Instant, addresses: Set<IPAddress>)?>(nil)
}

extension IPAddress {
    /// The address in an `AF_INET` or `AF_INET6` socket address; nil for other families.
    init?(sockaddr pointer: UnsafePointer<sockaddr>) {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            let raw = pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
            self = .v4(IPv4Address(value: UInt32(bigEndian: raw)))
        case AF_INET6:
            let bytes = pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
            }
            self = .v6(IPv6Address(bytes: bytes))
        default:
            return nil
        }
    }
}
