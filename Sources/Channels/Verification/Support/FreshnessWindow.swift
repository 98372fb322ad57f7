import Foundation

/// How far a signed timestamp may be from now, in either direction: a signature proves who sent
/// a request, only the window stops the same request from being replayed later.
struct FreshnessWindow: Sendable {
    let seconds: TimeInterval
    /// Named in messages, e.g. "Slack requests".
    let subject: String

    func check(_ signedAt: Date, now: Date, header: String) throws(VerificationFailure) {
        let offset = signedAt.timeIntervalSince(now)
        guard abs(offset) > seconds else { return }
        let direction = offset < 0 ? "old" : "in the future"
        throw .timestampStale("the \(header) timestamp is \(Int(abs(offset).rounded())) s \(direction); "
            + "\(subject) must be within \(Int(seconds)) s of this server's clock (a replay, or a clock that is off)")
    }

    /// Whole seconds since 1970 as a header carries them (Slack, Discord).
    static func unixSeconds(_ text: String, header: String) throws(VerificationFailure) -> Date {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let seconds = Int64(text) else {
            throw .headerMalformed(header: header, reason: "it must be whole seconds since 1970")
        }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
