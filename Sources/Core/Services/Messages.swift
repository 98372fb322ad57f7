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
    /// and `run.created` events.
    public func postMessage(_ message: IncomingMessage, to sessionID: String) throws -> (Message, Run) {
        guard let session = try SessionRepository(db).find(sessionID) else {
            throw CoreError.notFound(kind: "session", id: sessionID)
        }
        guard session.status != SessionStatus.archived.rawValue else {
            throw CoreError.conflict(code: "session_archived",
                                     message: "Session \(sessionID) is archived; start a new session to continue.")
        }
        let run = RunRecord(id: makeID(.run), sessionID: sessionID, status: RunStatus.queued.rawValue, createdAt: now)
        let record = MessageRecord(id: makeID(.message), sessionID: sessionID, runID: run.id, role: "user",
                                   content: JSONCoding.encodeText(message.content), source: message.source,
                                   author: message.author, externalID: message.externalID, createdAt: now)
        try RunRepository(db).insert(run)
        try MessageRepository(db).insert(record)
        try SessionRepository(db).touch(sessionID, at: now)
        let (m, r) = (Message(record), Run(run))
        try emit("message.created", session: sessionID, data: JSONCoding.encodeText(m))
        try emit("run.created", session: sessionID, data: JSONCoding.encodeText(r))
        return (m, r)
    }
}

extension WardenCore {
    public func listMessages(session: String, page: PageRequest) async throws -> Page<Message> {
        try await read { try MessageRepository($0).list(session: session, page: page) }.map(Message.init)
    }
}
