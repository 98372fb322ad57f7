/// What an approval card shows: enough for an approver to decide from the chat alone.
public struct ApprovalCard: Sendable, Equatable, Codable {
    public var approvalID: String
    /// One line: `POST api.github.com/repos/acme/app/pulls`.
    public var summary: String
    /// More context: the held request's body preview, the tool's input. Secrets are already removed.
    public var details: String?
    public var sessionTitle: String?
    /// RFC 3339.
    public var expiresAt: String?
    /// The channel's approvers (platform user ids). The card goes to the session's thread, so
    /// platforms that can mention someone by id (Slack, Discord, Telegram, Teams, Google Chat)
    /// mention them to bring it to their attention. Optional: cards stored before it was added
    /// decode without it.
    public var approvers: [String]?

    public init(approvalID: String, summary: String, details: String? = nil, sessionTitle: String? = nil,
                expiresAt: String? = nil, approvers: [String]? = nil) {
        self.approvalID = approvalID
        self.summary = summary
        self.details = details
        self.sessionTitle = sessionTitle
        self.expiresAt = expiresAt
        self.approvers = approvers
    }

    /// Mentions are markup on every platform: only ids of the platform's own shape are used,
    /// so an id can never inject text; at most `mentionLimit` of them.
    static let mentionLimit = 20

    func approvers(matching isPlatformID: (String) -> Bool) -> [String] {
        Array((approvers ?? []).filter { !$0.isEmpty && isPlatformID($0) }.prefix(Self.mentionLimit))
    }

    /// Approvers whose every byte passes `isIDByte` (the usual shape check).
    func approvers(ofBytes isIDByte: (UInt8) -> Bool) -> [String] {
        approvers(matching: { $0.utf8.allSatisfy(isIDByte) })
    }

    static let title = "Approval requested"

    /// Cards are prompts, not documents: long details are cut so a card always fits one message.
    static let detailsLimit = TextLimit.utf16(1500)

    /// The lines below the title, as plain text.
    var bodyLines: [String] {
        var lines = [summary]
        if let details, !details.isEmpty { lines.append(Self.detailsLimit.truncating(details)) }
        if let sessionTitle { lines.append("Session: \(sessionTitle)") }
        if let expiresAt { lines.append("Expires at \(expiresAt)") }
        return lines
    }

    /// The whole card as text, for platforms without buttons (GitHub, Linear, WhatsApp): the
    /// commands to type replace the buttons.
    public var textWithCommands: String {
        ([Self.title + ": " + summary] + bodyLines.dropFirst()
            + ["Reply \(ApprovalCommand.text(.approve, approvalID: approvalID)) or \(ApprovalCommand.text(.deny, approvalID: approvalID))."])
            .joined(separator: "\n")
    }
}

/// How an approval ended, to show on its card in place of the buttons.
public struct ApprovalOutcome: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, CaseIterable, Codable {
        case approved, denied, expired, cancelled
    }

    public var status: Status
    /// The approver's display name, for approved and denied.
    public var decidedBy: String?
    public var reason: String?

    public init(status: Status, decidedBy: String? = nil, reason: String? = nil) {
        self.status = status
        self.decidedBy = decidedBy
        self.reason = reason
    }

    /// `Approved by Ada: POST api.github.com/…` and the like.
    public func text(for card: ApprovalCard) -> String {
        var headline: String
        switch status {
        case .approved: headline = "✅ Approved"
        case .denied: headline = "❌ Denied"
        case .expired: headline = "⌛ Expired"
        case .cancelled: headline = "Cancelled"
        }
        if let decidedBy { headline += " by \(decidedBy)" }
        if let reason, !reason.isEmpty { headline += " (\(reason))" }
        return headline + ": " + card.summary
    }
}

/// Byte classes the platforms' user ids are made of.
extension UInt8 {
    var isASCIIDigit: Bool { (0x30...0x39).contains(self) }
    var isASCIIUppercase: Bool { (0x41...0x5A).contains(self) }
    var isASCIIAlphanumeric: Bool { isASCIIDigit || isASCIIUppercase || (0x61...0x7A).contains(self) }
}
