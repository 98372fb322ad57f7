import Core
import HTTP
import Logging

/// Holds one request until a person decides (SPEC §5): records a pending approval (which emits
/// `approval.requested`), then waits for the decision. The expiry is enforced here as well as by
/// warden's maintenance sweep, so a hold never outlives its approval even when the sweep is late.
/// If the agent closes the connection first, the approval is cancelled and the request dropped:
/// forwarding it then would act for nobody (and an agent that retried would be approved twice).
struct ApprovalHold: Sendable {
    let core: WardenCore
    let timeout: Duration
    let logger: Logger

    enum Outcome: Equatable {
        case approved(approvalID: String)
        case refused(approvalID: String, status: String, reason: String?)
    }

    static let clientGoneReason = "the agent closed its connection before anyone decided"

    func hold(_ request: HeldRequest, session: String, disconnect: ClientDisconnect?) async throws(ForwardProxyError) -> Outcome {
        let approval: Approval
        do {
            approval = try await core.requestApproval(session: session, run: nil, kind: "http_request",
                                                      summary: request.summary, request: request.details,
                                                      expiresIn: timeout.timeInterval)
        } catch {
            logger.error("cannot record an approval; refusing the held request", metadata: ["error": "\(error)"])
            throw .approvalUnavailable
        }
        logger.info("holding a proxied request for approval",
                    metadata: ["approval": "\(approval.id)", "session": "\(session)", "host": "\(request.host)"])
        let decided = await decision(approval.id, disconnect: disconnect)
        // Whatever was decided, nobody is left to receive the response: never send it then.
        if disconnect?.hasFired == true {
            logger.info("the agent left a held request; it is not sent",
                        metadata: ["approval": "\(approval.id)", "status": "\(decided?.status ?? "unknown")"])
            return .refused(approvalID: approval.id, status: ApprovalStatus.cancelled.rawValue, reason: Self.clientGoneReason)
        }
        guard let decided else { throw .approvalUnavailable }
        if decided.status == ApprovalStatus.approved.rawValue { return .approved(approvalID: decided.id) }
        return .refused(approvalID: decided.id, status: decided.status, reason: decided.decision?.reason)
    }

    /// The approval once it is no longer pending; nil when the store cannot tell (fail closed).
    /// A client that leaves cancels it, which ends the wait like any other resolution.
    private func decision(_ id: String, disconnect: ClientDisconnect?) async -> Approval? {
        let core = self.core
        let wait = timeout + .seconds(1)
        return await withTaskGroup(of: Approval?.self) { group in
            group.addTask { try? await core.awaitDecision(id) }
            group.addTask {
                try? await Task.sleep(for: wait)
                if Task.isCancelled { return nil } // decided in time
                // The sweep may not have run yet; expire what is due ourselves, then read the outcome.
                _ = try? await core.expireApprovals()
                return try? await core.awaitDecision(id)
            }
            if let disconnect {
                group.addTask {
                    await disconnect.wait()
                    if Task.isCancelled { return nil } // decided in time
                    return try? await core.cancelApproval(id, reason: Self.clientGoneReason)
                }
            }
            // Children answer nil for "cancelled" only after cancelAll: the first answer is real.
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
