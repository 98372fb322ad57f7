import Store

/// A decision someone made in a chat channel (a card button, an `/approve apr_…` command).
public struct ChannelDecision: Sendable, Equatable {
    public var approvalID: String
    public var approve: Bool
    public var reason: String?
    /// The platform's user id of who decided.
    public var actorID: String
    /// The platform's retry-stable id of the delivery, when it has one.
    public var deliveryID: String?

    public init(approvalID: String, approve: Bool, reason: String?, actorID: String, deliveryID: String?) {
        self.approvalID = approvalID; self.approve = approve; self.reason = reason
        self.actorID = actorID; self.deliveryID = deliveryID
    }
}

/// What became of a decision from chat. Every outcome is acknowledged to the platform: a click
/// is not retried into a different answer, and the approval's state is visible in Warden.
public enum ChannelDecisionOutcome: Sendable, Equatable {
    case decided
    /// The person is not among the channel's approvers; nothing changed.
    case notAnApprover
    /// The approval does not exist, was decided or expired already, or belongs to a session of
    /// another channel (or of the API); nothing changed.
    case notPending
    case duplicate
}

extension Transaction {
    /// Decides an approval for a listed approver of `channel`, recorded as decided by
    /// `<platform>:<user id>` so the audit trail names the person, not the channel. Only
    /// approvals of this channel's own sessions: an approver of one chat must not be able to
    /// release what another channel's (or an API client's) agent holds by typing its id.
    public func decideApprovalFromChannel(_ decision: ChannelDecision, channel: Channel) throws -> ChannelDecisionOutcome {
        guard channel.approvers.contains(decision.actorID) else { return .notAnApprover }
        guard let approval = try ApprovalRepository(db).find(decision.approvalID),
              try SessionRepository(db).find(approval.sessionID)?.channel == channel.id else { return .notPending }
        if let deliveryID = decision.deliveryID,
           try !ChannelInboundRepository(db).recordDelivery(channel: channel.id, deliveryID: deliveryID, at: now) {
            return .duplicate
        }
        do {
            _ = try decideApproval(decision.approvalID, approve: decision.approve, reason: decision.reason,
                                   by: "\(channel.platform):\(decision.actorID)")
            return .decided
        } catch let error as CoreError {
            switch error {
            case .notFound, .conflict: return .notPending
            case .invalid: throw error
            }
        }
    }
}
