import Store

/// What a caller may set when creating or changing a session.
public struct SessionInput: Sendable {
    public var title: String?
    public var metadata: JSONValue?
    public var agent: JSONValue?
    public init(title: String? = nil, metadata: JSONValue? = nil, agent: JSONValue? = nil) {
        self.title = title; self.metadata = metadata; self.agent = agent
    }
}

public enum SessionStatus: String, Sendable, CaseIterable {
    case idle, running, requires_action, error, archived
}

extension Transaction {
    public func createSession(_ input: SessionInput, owner: String, channel: String? = nil) throws -> Session {
        let record = SessionRecord(id: makeID(.session), status: SessionStatus.idle.rawValue, title: input.title ?? "",
                                   metadata: (input.metadata ?? .object([:])).encodedText,
                                   agent: (input.agent ?? .object([:])).encodedText, channel: channel,
                                   ownerKeyID: owner, createdAt: now, updatedAt: now)
        try SessionRepository(db).insert(record)
        try audit("session.created", actor: owner, session: record.id, subject: record.id)
        return Session(record)
    }

    public func updateSession(_ id: String, _ input: SessionInput) throws -> Session {
        let repo = SessionRepository(db)
        guard var record = try repo.find(id) else { throw CoreError.notFound(kind: "session", id: id) }
        guard record.status != SessionStatus.archived.rawValue else {
            throw CoreError.conflict(code: "session_archived", message: "Session \(id) is archived and cannot change.")
        }
        if let title = input.title { record.title = title }
        if let metadata = input.metadata { record.metadata = metadata.encodedText }
        if let agent = input.agent { record.agent = agent.encodedText }
        record.updatedAt = now
        try repo.update(record)
        return Session(record)
    }

    /// Archives a session: unfinished runs are cancelled, history kept. Archiving twice is a no-op.
    public func archiveSession(_ id: String, actor: String) throws -> Session {
        let repo = SessionRepository(db)
        guard var record = try repo.find(id) else { throw CoreError.notFound(kind: "session", id: id) }
        guard record.status != SessionStatus.archived.rawValue else { return Session(record) }
        for run in try RunRepository(db).unfinished(session: id) {
            try finishRun(run, status: .cancelled, stopReason: "session_archived")
        }
        record = try repo.find(id) ?? record // finishing the runs may have changed its status
        record.status = SessionStatus.archived.rawValue
        record.updatedAt = now
        try repo.update(record)
        try ScheduledTaskRepository(db).deleteAll(session: id)
        try audit("session.archived", actor: actor, session: id, subject: id)
        signal(.sessionArchived(session: id))
        signal(.tasksChanged)
        return Session(record)
    }
}

extension WardenCore {
    public func sessionRecord(_ id: String) async throws -> SessionRecord? {
        try await read { try SessionRepository($0).find(id) }
    }

    public func listSessions(owner: String?, status: String?, page: PageRequest) async throws -> Page<Session> {
        try await read { try SessionRepository($0).list(owner: owner, status: status, page: page) }.map(Session.init)
    }
}
