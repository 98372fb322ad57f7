import HTTP
import Synchronization

/// TLS server contexts for intercepted hosts: the proxy CA's leaf for the host (issued and
/// renewed by `LeafCertificateCache`) with the CA certificate as its chain. A context is built
/// once per leaf and reused by every connection to that host until the leaf is renewed.
public final class InterceptionAuthority: Sendable {
    private let authority: ProxyCA
    private let leaves: LeafCertificateCache
    private let contexts = Mutex<[String: (leaf: ObjectIdentifier, context: TLSServerContext)]>([:])

    public init(authority: ProxyCA, leaves: LeafCertificateCache? = nil) {
        self.authority = authority
        self.leaves = leaves ?? LeafCertificateCache(authority: authority)
    }

    /// The context that presents `host` (a name or an IP literal, as the CONNECT named it).
    func context(for host: EgressHost) throws(ForwardProxyError) -> TLSServerContext {
        let leaf: LeafCertificate
        do {
            leaf = try leaves.certificate(for: host.name)
        } catch {
            throw .interceptionFailed(host: host.description, reason: "cannot issue its certificate: \(error)")
        }
        let id = ObjectIdentifier(leaf.certificate)
        if let cached = contexts.withLock({ $0[leaf.host.text] }), cached.leaf == id { return cached.context }
        let context: TLSServerContext
        do {
            let key = String(decoding: try leaf.privateKey.pkcs8PEM(), as: UTF8.self)
            context = try TLSServerContext(certificateChainPEM: leaf.certificate.pem + authority.certificatePEM,
                                           privateKeyPEM: key)
        } catch {
            throw .interceptionFailed(host: host.description, reason: "cannot set up TLS: \(error)")
        }
        contexts.withLock { $0[leaf.host.text] = (id, context) }
        return context
    }

    /// Hosts with a TLS context ready (tests, metrics).
    var contextCount: Int { contexts.withLock { $0.count } }
}
