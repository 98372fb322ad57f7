@testable import Channels
import Foundation
import Testing

/// The failure a verification ends in, or nil when it passed.
func refusal(_ verify: () async throws(VerificationFailure) -> Void) async -> VerificationFailure? {
    do {
        try await verify()
        return nil
    } catch {
        return error
    }
}

/// Expects `verifier` to refuse `delivery` at `now` with `code` and `status`, and its message
/// never to contain `secret`.
func expectRefused(_ verifier: any WebhookVerifier, _ delivery: InboundDelivery, now: Date, code: String, status: Int,
                   notMentioning secret: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async {
    let failure = await refusal { () async throws(VerificationFailure) in try await verifier.verify(delivery, now: now) }
    #expect(failure?.code == code, "got \(String(describing: failure))", sourceLocation: sourceLocation)
    #expect(failure?.status.code == status, sourceLocation: sourceLocation)
    if let secret, let message = failure?.message {
        #expect(!message.contains(secret), "the message echoes the secret: \(message)", sourceLocation: sourceLocation)
    }
}

/// Expects `verifier` to accept `delivery` at `now`.
func expectAccepted(_ verifier: any WebhookVerifier, _ delivery: InboundDelivery, now: Date,
                    sourceLocation: SourceLocation = #_sourceLocation) async {
    let failure = await refusal { () async throws(VerificationFailure) in try await verifier.verify(delivery, now: now) }
    #expect(failure == nil, "refused: \(failure.map { "\($0.code): \($0.message)" } ?? "")", sourceLocation: sourceLocation)
}

extension Date {
    init(unix seconds: TimeInterval) { self.init(timeIntervalSince1970: seconds) }
}
