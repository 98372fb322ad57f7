// Rows of Warden's tables as values. JSON columns stay JSON text here: the Store does not
// interpret them, the Core does.

public struct SessionRecord: Sendable, Equatable {
    public var id: String
    public var status: String
    public var title: String
    public var metadata: String
    public var agent: String
    public var channel: String?
    public var ownerKeyID: String
    public var createdAt: String
    public var updatedAt: String

    public init(id: String, status: String, title: String, metadata: String, agent: String, channel: String?,
                ownerKeyID: String, createdAt: String, updatedAt: String) {
        self.id = id; self.status = status; self.title = title; self.metadata = metadata; self.agent = agent
        self.channel = channel; self.ownerKeyID = ownerKeyID; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}

public struct MessageRecord: Sendable, Equatable {
    public var id: String
    public var sessionID: String
    public var runID: String?
    public var role: String
    public var content: String
    public var source: String
    public var author: String?
    public var externalID: String?
    public var createdAt: String

    public init(id: String, sessionID: String, runID: String?, role: String, content: String, source: String,
                author: String?, externalID: String?, createdAt: String) {
        self.id = id; self.sessionID = sessionID; self.runID = runID; self.role = role; self.content = content
        self.source = source; self.author = author; self.externalID = externalID; self.createdAt = createdAt
    }
}

public struct RunRecord: Sendable, Equatable {
    public var id: String
    public var sessionID: String
    public var status: String
    public var stopReason: String?
    public var error: String?
    public var usage: String?
    public var createdAt: String
    public var startedAt: String?
    public var completedAt: String?

    public init(id: String, sessionID: String, status: String, stopReason: String? = nil, error: String? = nil,
                usage: String? = nil, createdAt: String, startedAt: String? = nil, completedAt: String? = nil) {
        self.id = id; self.sessionID = sessionID; self.status = status; self.stopReason = stopReason
        self.error = error; self.usage = usage; self.createdAt = createdAt; self.startedAt = startedAt
        self.completedAt = completedAt
    }
}

public struct ApprovalRecord: Sendable, Equatable {
    public var id: String
    public var sessionID: String
    public var runID: String?
    public var status: String
    public var kind: String
    public var summary: String
    public var request: String
    public var decision: String?
    public var createdAt: String
    public var expiresAt: String

    public init(id: String, sessionID: String, runID: String?, status: String, kind: String, summary: String,
                request: String, decision: String?, createdAt: String, expiresAt: String) {
        self.id = id; self.sessionID = sessionID; self.runID = runID; self.status = status; self.kind = kind
        self.summary = summary; self.request = request; self.decision = decision; self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

public struct EventRecord: Sendable, Equatable {
    /// Global order across sessions (the `/v1/events` stream's ids).
    public var seq: Int64
    public var id: String
    public var sessionID: String
    /// Order within the session (the session stream's ids).
    public var sessionSeq: Int64
    public var type: String
    public var data: String
    public var createdAt: String

    public init(seq: Int64, id: String, sessionID: String, sessionSeq: Int64, type: String, data: String, createdAt: String) {
        self.seq = seq; self.id = id; self.sessionID = sessionID; self.sessionSeq = sessionSeq; self.type = type
        self.data = data; self.createdAt = createdAt
    }
}

public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: String
    public var prefix: String
    public var hash: [UInt8]
    public var createdBy: String?
    public var createdAt: String
    public var revokedAt: String?

    public init(id: String, name: String, role: String, prefix: String, hash: [UInt8], createdBy: String?,
                createdAt: String, revokedAt: String? = nil) {
        self.id = id; self.name = name; self.role = role; self.prefix = prefix; self.hash = hash
        self.createdBy = createdBy; self.createdAt = createdAt; self.revokedAt = revokedAt
    }
}

public struct AuditRecord: Sendable, Equatable {
    public var id: String
    public var createdAt: String
    public var actor: String?
    public var kind: String
    public var sessionID: String?
    public var subjectID: String?
    public var detail: String

    public init(id: String, createdAt: String, actor: String?, kind: String, sessionID: String?, subjectID: String?,
                detail: String) {
        self.id = id; self.createdAt = createdAt; self.actor = actor; self.kind = kind; self.sessionID = sessionID
        self.subjectID = subjectID; self.detail = detail
    }
}

public struct IdempotencyRecord: Sendable, Equatable {
    public var ownerKeyID: String
    public var key: String
    public var requestHash: [UInt8]
    public var status: Int
    public var body: [UInt8]
    /// Unix seconds; records older than 24 h are ignored and swept.
    public var createdAt: Int64

    public init(ownerKeyID: String, key: String, requestHash: [UInt8], status: Int, body: [UInt8], createdAt: Int64) {
        self.ownerKeyID = ownerKeyID; self.key = key; self.requestHash = requestHash; self.status = status
        self.body = body; self.createdAt = createdAt
    }
}
