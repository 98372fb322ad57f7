import Foundation
import Synchronization

/// Leaf certificates by host, issued by the proxy CA the first time a host is intercepted and
/// kept (up to `capacity` hosts, least recently used dropped first) until two thirds of their
/// life has passed.
///
/// Each leaf has its own EC P-256 key. One key shared by all leaves would save only the key
/// generation, about 25 µs of the ~250 µs a leaf costs with OpenSSL 3.0 (most of it goes into
/// encoding the public key into the certificate, which a shared key would not avoid), and would
/// gain nothing else: every key lives in this process's memory either way.
///
/// `certificate(for:)` is synchronous so TLS callbacks and event loops can call it as well as
/// tasks; callers for a host being issued block until it is ready (about a millisecond).
public final class LeafCertificateCache: Sendable {
    public static let defaultCapacity = 1000

    private let state: Mutex<LeafCacheState>
    private let now: @Sendable () -> Date
    private let issue: @Sendable (CertificateHost, Date) throws(CertificateError) -> LeafCertificate

    /// `now` is the clock leaves are issued and renewed by (injected by tests).
    public convenience init(authority: ProxyCA, capacity: Int = defaultCapacity, now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(capacity: capacity, now: now) { host, date throws(CertificateError) in
            try authority.issueLeaf(for: host, now: date)
        }
    }

    init(capacity: Int, now: @escaping @Sendable () -> Date,
         issue: @escaping @Sendable (CertificateHost, Date) throws(CertificateError) -> LeafCertificate) {
        self.state = Mutex(LeafCacheState(capacity: capacity))
        self.now = now
        self.issue = issue
    }

    /// The leaf for `host` as an agent named it (validated and lowercased first).
    public func certificate(for host: String) throws(CertificateError) -> LeafCertificate {
        try certificate(for: CertificateHost(host))
    }

    public func certificate(for host: CertificateHost) throws(CertificateError) -> LeafCertificate {
        let date = now()
        switch state.withLock({ $0.claim(host, now: date) }) {
        case .use(let leaf):
            return leaf
        case .wait(let pending):
            return try pending.wait()
        case .issue(let pending):
            let result: Result<LeafCertificate, CertificateError>
            do throws(CertificateError) { result = .success(try issue(host, date)) } catch { result = .failure(error) }
            state.withLock { $0.finish(host, pending, result) }
            pending.resolve(result)
            return try result.get()
        }
    }

    /// Hosts held, including any being issued.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Leaves issued since the cache was made (tests, metrics).
    public var issuedCount: Int { state.withLock { $0.issuedCount } }
}
