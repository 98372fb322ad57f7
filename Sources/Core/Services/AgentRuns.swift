import Store

/// What an agent reports about the run it works on. The agent socket names the session, so
/// every method checks that the run belongs to it.
extension Transaction {
    /// The run, if it belongs to `session` and has not finished: a finished one is a conflict
    /// the agent answers by abandoning it.
    public func activeRun(_ runID: String, session: String) throws -> RunRecord {
        guard let run = try RunRepository(db).find(runID), run.sessionID == session else {
            throw CoreError.notFound(kind: "run", id: runID)
        }
        guard let status = RunStatus(rawValue: run.status), !status.isFinal else {
            throw CoreError.conflict(code: "run_finished", message: "Run \(runID) is already \(run.status).")
        }
        return run
    }

    /// Moves a queued run to `in_progress` as it is handed to the agent; nil if it is no longer queued.
    public func startRun(_ runID: String) throws -> RunRecord? {
        guard var run = try RunRepository(db).find(runID), run.status == RunStatus.queued.rawValue else { return nil }
        run.status = RunStatus.in_progress.rawValue
        run.startedAt = now
        try RunRepository(db).update(run)
        try emit("run.status", session: run.sessionID, data: JSONCoding.encodeText(Run(run)))
        try markSession(run.sessionID, from: .idle, to: .running)
        return run
    }

    /// A piece of the reply as the model streams it: an event only, the finished message is stored.
    public func appendDelta(_ text: String, run: RunRecord) throws {
        var w = JSONWriter()
        w.objectStart()
        w.key("delta"); w.objectStart(); w.key("text", text); w.key("type", "text"); w.objectEnd()
        w.key("run_id", run.id)
        w.objectEnd()
        try emit("message.delta", session: run.sessionID, data: String(decoding: w.bytes, as: UTF8.self))
    }

    /// A message the agent produced (`assistant`, or `tool` for the record of a tool call).
    public func agentMessage(role: String, text: String, run: RunRecord) throws -> Message {
        let record = MessageRecord(id: makeID(.message), sessionID: run.sessionID, runID: run.id, role: role,
                                   content: JSONCoding.encodeText([ContentBlock(text: text)]), source: "agent",
                                   author: nil, externalID: nil, createdAt: now)
        try MessageRepository(db).insert(record)
        let message = Message(record)
        try emit("message.created", session: run.sessionID, data: JSONCoding.encodeText(message))
        return message
    }

    /// Fails a run that has not finished with a clear error; nil if it already had.
    @discardableResult
    public func failRun(_ runID: String, code: String, message: String) throws -> Run? {
        guard let run = try RunRepository(db).find(runID), let status = RunStatus(rawValue: run.status),
              !status.isFinal else { return nil }
        let error = JSONValue.object(["code": .string(code), "message": .string(message)])
        return try finishRun(run, status: .failed, stopReason: "error", error: error)
    }

    /// Changes a session's status only if it is `from` (an archived session stays archived).
    func markSession(_ id: String, from: SessionStatus, to: SessionStatus) throws {
        let sessions = SessionRepository(db)
        guard var record = try sessions.find(id), record.status == from.rawValue else { return }
        record.status = to.rawValue
        record.updatedAt = now
        try sessions.update(record)
    }
}

extension WardenCore {
    /// The conversation the agent working on `run` is shown: user and assistant text, oldest first.
    public func conversation(session: String, upTo run: String) async throws -> [(role: String, text: String)] {
        try await read { db in
            try MessageRepository(db).conversation(session: session, upTo: run).map { record in
                let blocks = JSONValue.decode(record.content)
                let text: String
                if case .array(let items) = blocks {
                    text = items.compactMap { item -> String? in
                        if case .object(let o) = item, case .string(let t)? = o["text"] { return t }
                        return nil
                    }.joined(separator: "\n")
                } else {
                    text = ""
                }
                return (record.role, text)
            }
        }
    }
}
