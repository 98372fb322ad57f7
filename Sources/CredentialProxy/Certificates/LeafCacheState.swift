import Foundation

/// The cache's table, only touched under its lock: issued leaves by host with their last use,
/// and leaves being issued.
struct LeafCacheState {
    enum Entry {
        case ready(LeafCertificate, renewAt: Date, lastUse: UInt64)
        case issuing(PendingLeaf)
    }

    /// What a caller does next.
    enum Claim {
        case use(LeafCertificate)
        case wait(PendingLeaf)
        /// The caller issues the leaf, then calls `finish` and resolves the pending entry.
        case issue(PendingLeaf)
    }

    let capacity: Int
    private(set) var entries: [CertificateHost: Entry] = [:]
    private(set) var issuedCount = 0
    private var clock: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
    }

    mutating func claim(_ host: CertificateHost, now: Date) -> Claim {
        clock += 1
        switch entries[host] {
        case .ready(let leaf, let renewAt, _) where leaf.certificate.notBefore <= now && now < renewAt:
            entries[host] = .ready(leaf, renewAt: renewAt, lastUse: clock)
            return .use(leaf)
        case .issuing(let pending):
            return .wait(pending)
        case .ready, nil:
            let pending = PendingLeaf()
            entries[host] = .issuing(pending)
            return .issue(pending)
        }
    }

    /// Records the outcome of an issuance `claim` asked for. A failure is not remembered: the
    /// next caller tries again.
    mutating func finish(_ host: CertificateHost, _ pending: PendingLeaf, _ result: Result<LeafCertificate, CertificateError>) {
        guard case .issuing(let current) = entries[host], current === pending else { return }
        guard case .success(let leaf) = result else {
            entries[host] = nil
            return
        }
        issuedCount += 1
        clock += 1
        entries[host] = .ready(leaf, renewAt: Self.renewalTime(of: leaf.certificate), lastUse: clock)
        if entries.count > capacity { evictLeastRecentlyUsed() }
    }

    /// Two thirds into a leaf's life, so one handed out always has days left (a third of 30 days),
    /// and a leaf cut short by the CA's own expiry is still used for a while rather than re-issued
    /// on every request.
    static func renewalTime(of certificate: Certificate) -> Date {
        certificate.notBefore + certificate.notAfter.timeIntervalSince(certificate.notBefore) * 2 / 3
    }

    /// A linear scan: it runs only after an issuance, which costs far more than looking at a
    /// thousand entries, and it keeps the table a plain dictionary.
    private mutating func evictLeastRecentlyUsed() {
        var oldest: (host: CertificateHost, lastUse: UInt64)?
        for (host, entry) in entries {
            guard case .ready(_, _, let lastUse) = entry else { continue }
            if oldest == nil || lastUse < oldest!.lastUse { oldest = (host, lastUse) }
        }
        if let oldest { entries[oldest.host] = nil }
    }
}
