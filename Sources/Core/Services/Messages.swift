import Store

/// A message a person (or a channel) sends to a session.
public struct IncomingMessage: Sendable {
    public var content: [ContentBlock]
    public var source: String
    public var author: String?
    public var externalID: String?
    public init(content: [ContentBlock], source: String = "api", author: String? = nil, externalID: String? = nil) {
        self.content = content; self.source = source; self.author = author; self.externalID = externalID
    }
}

extension Transaction {
    /// Stores a user message and queues the run that will answer it, with `message.created`
    /// and `run.created` events. `visibleTo` restricts it to sessions owned by that key (the
    /// `client` role); another owner's session is reported as not found. `reservedID` is the
    /// message's id when the caller recorded it elsewhere first (a channel's dedupe row).
    public func postMessage(_ message: IncomingMessage, to sessionID: String, visibleTo owner: String? = nil,
                            reservedID: String? = nil) throws -> (Message, Run) {
        // One UPDATE checks the session is live, touches it and reserves both event numbers:
        // this is the hottest write path.
        let sessions = SessionRepository(db)
        guard let (lastSeq, sessionOwner) = try sessions.reserveEvents(sessionID, count: 2, at: now) else {
            guard let session = try sessions.find(sessionID), owner == nil || session.ownerKeyID == owner else {
                throw CoreError.notFound(kind: "session", id: sessionID)
            }
            throw CoreError.conflict(code: "session_archived",
                                     message: "Session \(sessionID) is archived; start a new session to continue.")
        }
        if let owner, owner != sessionOwner { throw CoreError.notFound(kind: "session", id: sessionID) }
        let run = RunRecord(id: makeID(.run), sessionID: sessionID, status: RunStatus.queued.rawValue, createdAt: now)
        let record = MessageRecord(id: reservedID ?? makeID(.message), sessionID: sessionID, runID: run.id, role: "user",
                                   content: JSONCoding.encodeText(message.content), source: message.source,
                                   author: message.author, externalID: message.externalID, createdAt: now)
        try RunRepository(db).insert(run)
        try MessageRepository(db).insert(record)
        let (m, r) = (Message(record), Run(run))
        try append("message.created", session: sessionID, seq: lastSeq - 1, data: JSONCoding.encodeText(m))
        try append("run.created", session: sessionID, seq: lastSeq, data: JSONCoding.encodeText(r))
        signal(.runQueued(session: sessionID))
        return (m, r)
    }
}

extension WardenCore {
    public func listMessages(session: String, page: PageRequest) async throws -> Page<Message> {
        try await read { try MessageRepository($0).list(session: session, page: page) }.map(Message.init)
    }
}
