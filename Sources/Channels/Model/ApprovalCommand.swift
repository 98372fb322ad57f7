import Core

/// The two textual forms of an approval decision: what buttons carry (`approve:apr_…`, short
/// enough for Telegram's 64-byte `callback_data`), and what people type (`/approve apr_… [reason]`).
public struct ApprovalCommand: Sendable, Equatable {
    public var decision: ApprovalDecision
    public var approvalID: String
    public var reason: String?

    public init(decision: ApprovalDecision, approvalID: String, reason: String? = nil) {
        self.decision = decision
        self.approvalID = approvalID
        self.reason = reason
    }

    /// The value a card button carries.
    public static func buttonValue(_ decision: ApprovalDecision, approvalID: String) -> String {
        "\(decision.rawValue):\(approvalID)"
    }

    /// The text a person types, shown on text-only platforms.
    public static func text(_ decision: ApprovalDecision, approvalID: String) -> String {
        "/\(decision.rawValue) \(approvalID)"
    }

    /// A button value made by `buttonValue`; nil for any other button.
    public static func parseButton(_ value: String) -> ApprovalCommand? {
        let parts = value.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let decision = ApprovalDecision(rawValue: String(parts[0])),
              let id = approvalID(String(parts[1])) else { return nil }
        return ApprovalCommand(decision: decision, approvalID: id)
    }

    /// `/approve apr_… [reason]` or `/deny apr_… [reason]` at the start of `text` (after the bot's
    /// mention is stripped). Telegram's `/approve@BotName` form is accepted. Nil for other text,
    /// including a command whose id is not an approval id, so it reaches the agent as it is.
    public static func parseText(_ text: String) -> ApprovalCommand? {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.hasPrefix("/") else { return nil }
        let words = trimmed.dropFirst().split(maxSplits: 2, whereSeparator: { $0.isWhitespace })
        guard words.count >= 2 else { return nil }
        let verb = words[0].split(separator: "@", maxSplits: 1)[0].lowercased()
        guard let decision = ApprovalDecision(rawValue: verb), let id = approvalID(String(words[1])) else { return nil }
        let reason = words.count > 2 ? String(words[2]).trimmingWhitespace() : nil
        return ApprovalCommand(decision: decision, approvalID: id, reason: reason?.isEmpty == false ? reason : nil)
    }

    /// Approval ids are ULIDs, which Crockford base32 reads case-insensitively; people retype
    /// them, so `apr_01j9…` is accepted and normalised.
    static func approvalID(_ candidate: String) -> String? {
        guard candidate.lowercased().hasPrefix("apr_") else { return nil }
        let normalised = "apr_" + candidate.dropFirst(4).uppercased()
        return IDGenerator.isValid(normalised, kind: .approval) ? normalised : nil
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
