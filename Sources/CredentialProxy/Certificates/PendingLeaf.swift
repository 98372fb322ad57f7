import Foundation

/// A leaf being issued: callers that ask for the same host meanwhile block here until the one
/// issuing it is done, so a burst of connections to a new host costs one issuance.
final class PendingLeaf: @unchecked Sendable {
    // Guards `outcome`; NSCondition because waiters are plain threads (event loops) as well as tasks.
    private let condition = NSCondition()
    private var outcome: Result<LeafCertificate, CertificateError>?

    func resolve(_ result: Result<LeafCertificate, CertificateError>) {
        condition.lock()
        outcome = result
        condition.broadcast()
        condition.unlock()
    }

    func wait() throws(CertificateError) -> LeafCertificate {
        condition.lock()
        while outcome == nil { condition.wait() }
        let result = outcome!
        condition.unlock()
        return try result.get()
    }
}
