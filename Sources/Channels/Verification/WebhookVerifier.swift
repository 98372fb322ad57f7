import Foundation

/// Decides whether a delivery really comes from the platform, before anything reads its body.
/// `now` is passed in rather than read from the clock, so that freshness windows and key-cache
/// lifetimes are decided by the caller (and by tests) and never by timing.
public protocol WebhookVerifier: Sendable {
    func verify(_ delivery: InboundDelivery, now: Date) async throws(VerificationFailure)
}
