/// The SSRF guard (SPEC §5): "resolve once, check every address, dial the checked address".
///
/// A host name is looked up once; every address in the answer is classified, and if any is not
/// a permitted destination the whole host is refused; otherwise the checked addresses are
/// returned for the caller to dial. Nothing here caches, so each request gets one fresh answer
/// and the proxy must not look the name up again.
public struct EgressResolver: Sendable {
    private let lookup: any HostLookup
    private let localAddresses: @Sendable () -> Set<IPAddress>

    public init(lookup: any HostLookup = SystemHostLookup(),
                localAddresses: @escaping @Sendable () -> Set<IPAddress> = LocalAddresses.recent) {
        self.lookup = lookup
        self.localAddresses = localAddresses
    }

    /// `allowPrivate` lets loopback, private, link-local, unique-local, reserved and this host's
    /// addresses through: pass `EgressDecision.namesHostExplicitly`. Unspecified, multicast and
    /// broadcast addresses are refused even then.
    public func resolve(_ host: EgressHost, port: Int, allowPrivate: Bool) async throws(ResolutionRefusal) -> [DialAddress] {
        guard (1...65535).contains(port) else { throw .invalidPort(port) }
        let answer: [IPAddress]
        if let literal = host.ipAddress {
            answer = [literal]
        } else {
            do {
                answer = try await lookup.addresses(of: host.name)
            } catch {
                throw .lookupFailed(host, error)
            }
        }
        var addresses: [IPAddress] = []
        for address in answer where !addresses.contains(address) { addresses.append(address) }
        guard !addresses.isEmpty else { throw .noAddresses(host) }

        let classifier = AddressClassifier(localAddresses: localAddresses())
        for address in addresses {
            let classification = classifier.classify(address)
            guard classification.addressClass.permitsDial(allowPrivate: allowPrivate) else {
                throw .forbiddenAddress(host: host, address: address, classification: classification)
            }
        }
        return addresses.map { DialAddress(address: $0, port: port) }
    }

    /// Parses `host` first (see `EgressHost`), refusing what it refuses.
    public func resolve(host: String, port: Int, allowPrivate: Bool) async throws(ResolutionRefusal) -> [DialAddress] {
        let parsed: EgressHost
        do {
            parsed = try EgressHost(parsing: host)
        } catch {
            throw .invalidHost(host, error)
        }
        return try await resolve(parsed, port: port, allowPrivate: allowPrivate)
    }
}
