import Glibc
import HTTP

/// A checked address to connect to. Dial exactly this — never the host name again, which could
/// resolve differently the second time (DNS rebinding).
public struct DialAddress: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let port: Int

    /// For the HTTP client: the address as a numeric host, which getaddrinfo parses without DNS.
    public var socketAddress: SocketAddress { .tcp(host: address.description, port: port) }

    /// The `sockaddr_in`/`sockaddr_in6` to pass to `connect`.
    public func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Result) rethrows -> Result {
        switch address {
        case .v4(let v4):
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = UInt16(port).bigEndian
            raw.sin_addr.s_addr = v4.value.bigEndian
            return try withUnsafePointer(to: &raw) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .v6(let v6):
            var raw = sockaddr_in6()
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &raw.sin6_addr) { $0.copyBytes(from: v6.bytes) }
            return try withUnsafePointer(to: &raw) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    public var description: String { socketAddress.description }
}
