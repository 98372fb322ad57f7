import Glibc

/// Turns a host name into addresses. The resolver calls it once per request and dials only what
/// it returned, so the answer that was checked is the answer that is used.
public protocol HostLookup: Sendable {
    func addresses(of name: String) async throws(HostLookupError) -> [IPAddress]
}

public enum HostLookupError: Error, Sendable, Equatable {
    /// NXDOMAIN or no address records.
    case notFound
    /// The DNS server did not answer in time, or answered SERVFAIL; trying later may work.
    case temporaryFailure
    case failed(String)
}

/// The system resolver (`getaddrinfo`: /etc/hosts, then DNS), run on `LookupThreads`.
public struct SystemHostLookup: HostLookup {
    public init() {}

    public func addresses(of name: String) async throws(HostLookupError) -> [IPAddress] {
        try await LookupThreads.shared.run { Self.blockingLookup(name) }.get()
    }

    static func blockingLookup(_ name: String) -> Result<[IPAddress], HostLookupError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        // No AI_ADDRCONFIG: it hides "localhost" on a host with only a loopback interface, and
        // what is returned must be checked, not filtered.
        var first: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &first)
        guard status == 0 else {
            switch status {
            case EAI_NONAME, eaiNoData: return .failure(.notFound)
            case EAI_AGAIN: return .failure(.temporaryFailure)
            default: return .failure(.failed(String(cString: gai_strerror(status))))
            }
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var entry = first
        while let current = entry {
            if let sockaddr = current.pointee.ai_addr, let address = IPAddress(sockaddr: sockaddr) {
                addresses.append(address)
            }
            entry = current.pointee.ai_next
        }
        return .success(addresses)
    }

    /// EAI_NODATA (the name exists but has no address) is a glibc extension the Glibc module
    /// does not import without _GNU_SOURCE.
    private static let eaiNoData: Int32 = -5
}
