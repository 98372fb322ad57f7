@testable import CredentialProxy
import Foundation
import Synchronization
import Testing

@Suite("Proxy CA: the leaf cache")
struct CertificateCacheTests {
    /// A clock tests move by hand.
    final class ManualClock: Sendable {
        private let current: Mutex<Date>
        init(_ start: Date = Date()) { current = Mutex(start) }
        var now: Date { current.withLock { $0 } }
        func advance(days: Double) { current.withLock { $0 += days * 86_400 } }
    }

    /// Runs `body` on `count` threads at once (event loops call the cache from plain threads)
    /// and waits for all of them.
    func onThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread { body(); group.leave() }.start()
        }
        if group.wait(timeout: .now() + 30) == .timedOut { Issue.record("threads still running after 30 s") }
    }

    @Test func aHostGetsTheSameLeafUntilItIsDueAndAnotherHostItsOwn() throws {
        try withProxyCA { ca, _ in
            let cache = LeafCertificateCache(authority: ca)
            let first = try cache.certificate(for: "api.example.com")
            let again = try cache.certificate(for: "API.example.com.")
            #expect(again.certificate === first.certificate, "the same host after normalisation")
            #expect(again.privateKey === first.privateKey)
            let other = try cache.certificate(for: "other.example.com")
            #expect(other.certificate !== first.certificate)
            #expect(verificationFailure(of: other.certificate, host: "other.example.com", authority: ca.certificate) == nil)
            #expect(cache.issuedCount == 2)
            #expect(cache.count == 2)
        }
    }

    @Test func aLeafIsIssuedAgainOnceTwoThirdsOfItsLifeHavePassed() throws {
        try withProxyCA { ca, _ in
            let clock = ManualClock()
            let cache = LeafCertificateCache(authority: ca, now: { clock.now })
            let first = try cache.certificate(for: "example.com")
            clock.advance(days: 19)
            #expect(try cache.certificate(for: "example.com").certificate === first.certificate)
            clock.advance(days: 2)  // 21 days: ten remain, a third of its life
            let renewed = try cache.certificate(for: "example.com")
            #expect(renewed.certificate !== first.certificate)
            #expect(renewed.notAfter.timeIntervalSince(first.notAfter) > 20 * 86_400)
            #expect(cache.issuedCount == 2)
            #expect(verificationFailure(of: renewed.certificate, host: "example.com", authority: ca.certificate, at: clock.now) == nil)
        }
    }

    @Test func anExpiredLeafIsNeverHandedOut() throws {
        try withProxyCA { ca, _ in
            let clock = ManualClock()
            let cache = LeafCertificateCache(authority: ca, now: { clock.now })
            let first = try cache.certificate(for: "example.com")
            clock.advance(days: 45)
            let next = try cache.certificate(for: "example.com")
            #expect(next.certificate !== first.certificate)
            #expect(next.notAfter > clock.now)
        }
    }

    @Test func aClockSetBackBeforeALeafBeganGetsANewOne() throws {
        try withProxyCA { ca, _ in
            let clock = ManualClock()
            let cache = LeafCertificateCache(authority: ca, now: { clock.now })
            let first = try cache.certificate(for: "example.com")
            clock.advance(days: -1)
            let next = try cache.certificate(for: "example.com")
            #expect(next.certificate !== first.certificate)
            #expect(next.certificate.notBefore <= clock.now)
        }
    }

    @Test func concurrentRequestsForOneHostIssueOnce() async throws {
        let issued = Mutex(0)
        try withProxyCA { ca, _ in
            // A slow issuer, so every caller arrives while the first is still issuing.
            let cache = LeafCertificateCache(capacity: 10, now: { Date() }) { host, now throws(CertificateError) in
                issued.withLock { $0 += 1 }
                usleep(100_000)
                return try ca.issueLeaf(for: host, now: now)
            }
            let results = Mutex<[LeafCertificate]>([])
            onThreads(16) { if let leaf = try? cache.certificate(for: "example.com") { results.withLock { $0.append(leaf) } } }
            let leaves = results.withLock { $0 }
            #expect(leaves.count == 16)
            #expect(issued.withLock { $0 } == 1)
            #expect(cache.issuedCount == 1)
            #expect(leaves.allSatisfy { $0.certificate === leaves[0].certificate })
        }
    }

    @Test func concurrentRequestsForManyHostsFromTasks() async throws {
        let directory = try makeTemporaryDirectory("ca")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ca = try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: "x")
        let cache = LeafCertificateCache(authority: ca)
        let hosts = (0..<20).map { "host\($0).example.com" }
        let leaves = try await withThrowingTaskGroup(of: LeafCertificate.self) { group in
            for _ in 0..<5 { for host in hosts { group.addTask { try cache.certificate(for: host) } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(leaves.count == 100)
        #expect(cache.issuedCount == 20)
        for leaf in leaves {
            #expect(verificationFailure(of: leaf.certificate, host: leaf.host.text, authority: ca.certificate) == nil)
            #expect(leaf.certificate === (try cache.certificate(for: leaf.host)).certificate)
        }
    }

    @Test func aFailedIssuanceReachesEveryWaiterAndIsNotRemembered() throws {
        let attempts = Mutex(0)
        try withProxyCA { ca, _ in
            let cache = LeafCertificateCache(capacity: 10, now: { Date() }) { host, now throws(CertificateError) in
                let attempt = attempts.withLock { $0 += 1; return $0 }
                usleep(50_000)
                if attempt == 1 { throw .openSSL(operation: "sign a certificate", detail: "injected") }
                return try ca.issueLeaf(for: host, now: now)
            }
            let failures = Mutex(0)
            onThreads(4) {
                do { _ = try cache.certificate(for: "example.com") } catch { failures.withLock { $0 += 1 } }
            }
            #expect(failures.withLock { $0 } == 4)
            #expect(attempts.withLock { $0 } == 1)
            #expect(cache.count == 0)
            #expect(throws: Never.self) { try cache.certificate(for: "example.com") }
            #expect(attempts.withLock { $0 } == 2)
        }
    }

    @Test func theLeastRecentlyUsedHostIsDroppedPastCapacity() throws {
        try withProxyCA { ca, _ in
            let cache = LeafCertificateCache(authority: ca, capacity: 2)
            let a = try cache.certificate(for: "a.example.com")
            let b = try cache.certificate(for: "b.example.com")
            _ = try cache.certificate(for: "a.example.com")  // b is now the least recently used
            _ = try cache.certificate(for: "c.example.com")
            #expect(cache.count == 2)
            #expect(try cache.certificate(for: "a.example.com").certificate === a.certificate)
            #expect(try cache.certificate(for: "b.example.com").certificate !== b.certificate, "b was dropped and issued again")
            #expect(cache.issuedCount == 4)
        }
    }

    @Test func invalidHostsAreRefusedBeforeAnythingIsIssued() throws {
        try withProxyCA { ca, _ in
            let cache = LeafCertificateCache(authority: ca)
            for host in ["*.example.com", "", "exa mple.com", String(repeating: "a", count: 300)] {
                #expect(throws: CertificateError.self) { try cache.certificate(for: host) }
            }
            #expect(cache.issuedCount == 0)
            #expect(cache.count == 0)
        }
    }
}
