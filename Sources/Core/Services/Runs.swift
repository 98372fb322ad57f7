import Store

public enum RunStatus: String, Sendable, CaseIterable {
    case queued, in_progress, requires_action, completed, failed, cancelled, expired

    public var isFinal: Bool { [.completed, .failed, .cancelled, .expired].contains(self) }
}

extension Transaction {
    /// Cancels a run that has not finished; a conflict for one that has.
    public func cancelRun(_ id: String, actor: String) throws -> Run {
        guard let run = try RunRepository(db).find(id) else { throw CoreError.notFound(kind: "run", id: id) }
        guard let status = RunStatus(rawValue: run.status), !status.isFinal else {
            throw CoreError.conflict(code: "run_finished", message: "Run \(id) is already \(run.status).")
        }
        let cancelled = try finishRun(run, status: .cancelled, stopReason: "cancelled")
        try audit("run.cancelled", actor: actor, session: run.sessionID, subject: id)
        return cancelled
    }

    /// Moves a run to a final status with its events (`run.status`, then `run.completed` or `run.failed`).
    @discardableResult
    public func finishRun(_ run: RunRecord, status: RunStatus, stopReason: String?, error: JSONValue? = nil) throws -> Run {
        var updated = run
        updated.status = status.rawValue
        updated.stopReason = stopReason
        updated.error = error?.encodedText
        updated.completedAt = now
        try RunRepository(db).update(updated)
        let json = JSONCoding.encodeText(Run(updated))
        try emit("run.status", session: run.sessionID, data: json)
        switch status {
        case .completed: try emit("run.completed", session: run.sessionID, data: json)
        case .failed, .expired: try emit("run.failed", session: run.sessionID, data: json)
        default: break
        }
        try markSession(run.sessionID, from: .running, to: .idle)
        signal(.runFinished(session: run.sessionID, run: run.id))
        return Run(updated)
    }
}

extension WardenCore {
    public func runRecord(_ id: String) async throws -> RunRecord? {
        try await read { try RunRepository($0).find(id) }
    }

    public func listRuns(session: String, page: PageRequest) async throws -> Page<Run> {
        try await read { try RunRepository($0).list(session: session, page: page) }.map(Run.init)
    }
}
