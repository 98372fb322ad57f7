/// Why the proxy will not connect to a host.
public enum ResolutionRefusal: Error, Sendable, Equatable {
    case invalidHost(String, HostRefusal)
    case invalidPort(Int)
    case lookupFailed(EgressHost, HostLookupError)
    case noAddresses(EgressHost)
    /// One of the host's addresses is not a destination; the whole host is refused, so a DNS
    /// answer mixing a public and a private address cannot steer the dial to the private one.
    case forbiddenAddress(host: EgressHost, address: IPAddress, classification: AddressClassification)

    public var reason: String {
        switch self {
        case .invalidHost(let host, let refusal): return "'\(host)' cannot be dialled: \(refusal.reason)"
        case .invalidPort(let port): return "port \(port) is not a port from 1 to 65535"
        case .lookupFailed(let host, .notFound): return "\(host) does not resolve to any address"
        case .lookupFailed(let host, .temporaryFailure): return "resolving \(host) failed for now; try again later"
        case .lookupFailed(let host, .failed(let why)): return "resolving \(host) failed: \(why)"
        case .noAddresses(let host): return "\(host) does not resolve to any address"
        case .forbiddenAddress(let host, let address, let classification):
            return Self.forbidden(host: host, address: address, classification: classification)
        }
    }

    /// "169.254.169.254 is a link-local/metadata address", or for a name
    /// "localhost resolves to 127.0.0.1, a loopback address", and what would let it through.
    private static func forbidden(host: EgressHost, address: IPAddress, classification: AddressClassification) -> String {
        let addressClass = classification.addressClass
        var what = host.ipAddress == address
            ? "\(address) is \(addressClass.phrase)"
            : "\(host) resolves to \(address), \(addressClass.phrase)"
        if let embedded = classification.embedded {
            what += " (\(embedded.kind.rawValue) \(embedded.address))"
        }
        return addressClass.isUnicast
            ? what + "; warden dials such addresses only for hosts an egress rule names exactly"
            : what + "; warden never dials it"
    }
}
