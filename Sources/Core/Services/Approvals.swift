import Store
import Synchronization

public enum ApprovalStatus: String, Sendable, CaseIterable {
    case pending, approved, denied, expired, cancelled
}

/// Callers (the proxy, the scheduler) waiting for approvals to be decided. A waiter registers
/// before it reads the approval, so a decision landing between the read and the wait is kept.
public final class ApprovalWaiters: Sendable {
    final class Waiter: Sendable {
        private struct State { var result: Approval?; var continuation: CheckedContinuation<Approval, Never>? }
        private let state = Mutex(State())

        func fulfil(_ approval: Approval) {
            let c = state.withLock { s -> CheckedContinuation<Approval, Never>? in
                s.result = approval
                defer { s.continuation = nil }
                return s.continuation
            }
            c?.resume(returning: approval)
        }

        func value() async -> Approval {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { s -> Approval? in
                    if let r = s.result { return r }
                    s.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    private let waiting = Mutex<[String: [ObjectIdentifier: Waiter]]>([:])

    init() {}

    func register(_ id: String) -> Waiter {
        let waiter = Waiter()
        waiting.withLock { $0[id, default: [:]][ObjectIdentifier(waiter)] = waiter }
        return waiter
    }

    func unregister(_ id: String, _ waiter: Waiter) {
        waiting.withLock { map in
            map[id]?[ObjectIdentifier(waiter)] = nil
            if map[id]?.isEmpty == true { map[id] = nil }
        }
    }

    func resolve(_ approval: Approval) {
        let waiters = waiting.withLock { $0.removeValue(forKey: approval.id) } ?? [:]
        for waiter in waiters.values { waiter.fulfil(approval) }
    }

    public var waitingCount: Int { waiting.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}

extension Transaction {
    /// A person's decision; a conflict once the approval is no longer pending.
    public func decideApproval(_ id: String, approve: Bool, reason: String?, by actor: String) throws -> Approval {
        let repo = ApprovalRepository(db)
        guard let record = try repo.find(id) else { throw CoreError.notFound(kind: "approval", id: id) }
        let decision = ApprovalDecision(decision: approve ? "approve" : "deny", by: actor, reason: reason, decided_at: now)
        // Read in this transaction: closing fails exactly when the record is no longer pending.
        guard let closed = try closeApproval(record, as: approve ? .approved : .denied,
                                             decision: JSONCoding.encodeText(decision), audit: "approval.decided", actor: actor,
                                             detail: ["decision": .string(decision.decision),
                                                      "reason": reason.map(JSONValue.string) ?? .null])
        else {
            throw CoreError.conflict(code: "approval_decided", message: "Approval \(id) is already \(record.status).")
        }
        return closed
    }

    /// Moves a pending approval to its final `status`, emits `approval.resolved`, audits it, and
    /// once committed hands it to whoever awaits the decision. Nil if it was no longer pending.
    func closeApproval(_ record: ApprovalRecord, as status: ApprovalStatus, decision: String? = nil,
                       audit kind: String, actor: String? = nil, detail: [String: JSONValue] = [:]) throws -> Approval? {
        guard try ApprovalRepository(db).resolve(record.id, status: status.rawValue, decision: decision) else { return nil }
        var updated = record
        updated.status = status.rawValue
        updated.decision = decision
        let approval = Approval(updated)
        try emit("approval.resolved", session: record.sessionID, data: JSONCoding.encodeText(approval))
        try audit(kind, actor: actor, session: record.sessionID, subject: record.id, detail: detail)
        let waiters = core.approvals
        onCommit { waiters.resolve(approval) }
        return approval
    }
}

extension WardenCore {
    /// Records a pending approval and emits `approval.requested`. Call `awaitDecision` to wait.
    public func requestApproval(session: String, run: String?, kind: String, summary: String,
                                request: ApprovalRequestDetails, expiresIn seconds: Double = 180) async throws -> Approval {
        try await write { tx in
            guard try SessionRepository(tx.db).find(session) != nil else { throw CoreError.notFound(kind: "session", id: session) }
            let record = ApprovalRecord(id: tx.makeID(.approval), sessionID: session, runID: run,
                                        status: ApprovalStatus.pending.rawValue, kind: kind, summary: summary,
                                        request: JSONCoding.encodeText(request), decision: nil, createdAt: tx.now,
                                        expiresAt: Timestamp.after(seconds: seconds))
            try ApprovalRepository(tx.db).insert(record)
            let approval = Approval(record)
            try tx.emit("approval.requested", session: session, data: JSONCoding.encodeText(approval))
            return approval
        }
    }

    /// Waits until the approval is no longer pending (decided, expired or cancelled).
    public func awaitDecision(_ id: String) async throws -> Approval {
        let waiter = approvals.register(id)
        let current: ApprovalRecord?
        do {
            current = try await read { try ApprovalRepository($0).find(id) }
        } catch {
            approvals.unregister(id, waiter)
            throw error
        }
        guard let current else {
            approvals.unregister(id, waiter)
            throw CoreError.notFound(kind: "approval", id: id)
        }
        if current.status != ApprovalStatus.pending.rawValue {
            approvals.unregister(id, waiter)
            return Approval(current)
        }
        return await waiter.value()
    }

    public func approval(_ id: String) async throws -> Approval? {
        try await read { try ApprovalRepository($0).find(id) }.map(Approval.init)
    }

    public func listApprovals(status: String?, session: String?, page: PageRequest) async throws -> Page<Approval> {
        try await read { try ApprovalRepository($0).list(status: status, session: session, page: page) }.map(Approval.init)
    }

    /// Cancels a pending approval whose requester is gone (the agent closed the connection that
    /// held the request): nobody would receive what an approver let through. Returns the
    /// approval as it now stands; one decided meanwhile keeps its decision.
    @discardableResult
    public func cancelApproval(_ id: String, reason: String) async throws -> Approval? {
        try await write { tx in
            guard let record = try ApprovalRepository(tx.db).find(id) else { return nil }
            return try tx.closeApproval(record, as: .cancelled, audit: "approval.cancelled", detail: ["reason": .string(reason)])
                ?? Approval(record)
        }
    }

    /// Expires pending approvals past their time (or all of them, at start-up: whoever was
    /// waiting is gone). Returns how many expired.
    @discardableResult
    public func expireApprovals(all: Bool = false) async throws -> Int {
        // Look on a reader first: this runs every second and must not occupy the writer for nothing.
        let now = Timestamp.now()
        let due = try await read { db in
            all ? try !ApprovalRepository(db).allPending().isEmpty : try !ApprovalRepository(db).pendingExpired(at: now).isEmpty
        }
        guard due else { return 0 }
        return try await write { tx in
            let repo = ApprovalRepository(tx.db)
            let due = all ? try repo.allPending() : try repo.pendingExpired(at: tx.now)
            var expired = 0
            for record in due {
                if try tx.closeApproval(record, as: .expired, audit: "approval.expired") != nil { expired += 1 }
            }
            return expired
        }
    }
}
