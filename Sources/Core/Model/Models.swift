import Foundation
import Store

/// The resources of SPEC §3 as the API shows them. Field names follow the JSON (snake_case);
/// optional fields are encoded as null rather than omitted, so clients see one shape.

public struct ContentBlock: Codable, Sendable, Equatable {
    public var type: String
    public var text: String
    public init(text: String) { type = "text"; self.text = text }
}

public struct Session: Encodable, Sendable, Equatable {
    public var id: String
    public var object = "session"
    public var status: String
    public var title: String
    public var metadata: JSONValue
    public var agent: JSONValue
    public var channel: String?
    public var created_at: String
    public var updated_at: String

    public init(_ r: SessionRecord) {
        id = r.id; status = r.status; title = r.title; metadata = JSONValue.decode(r.metadata)
        agent = JSONValue.decode(r.agent); channel = r.channel; created_at = r.createdAt; updated_at = r.updatedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(object, forKey: .object); try c.encode(status, forKey: .status)
        try c.encode(title, forKey: .title); try c.encode(metadata, forKey: .metadata); try c.encode(agent, forKey: .agent)
        try c.encode(channel, forKey: .channel); try c.encode(created_at, forKey: .created_at)
        try c.encode(updated_at, forKey: .updated_at)
    }
    enum CodingKeys: CodingKey { case id, object, status, title, metadata, agent, channel, created_at, updated_at }
}

public struct Message: Encodable, Sendable, Equatable {
    public var id: String
    public var object = "message"
    public var session_id: String
    public var run_id: String?
    public var role: String
    public var content: [ContentBlock]
    public var source: String
    public var author: String?
    public var external_id: String?
    public var created_at: String

    public init(_ r: MessageRecord) {
        id = r.id; session_id = r.sessionID; run_id = r.runID; role = r.role; source = r.source; author = r.author
        external_id = r.externalID; created_at = r.createdAt
        content = (try? JSONCoding.decoder.decode([ContentBlock].self, from: Data(r.content.utf8))) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(object, forKey: .object); try c.encode(session_id, forKey: .session_id)
        try c.encode(run_id, forKey: .run_id); try c.encode(role, forKey: .role); try c.encode(content, forKey: .content)
        try c.encode(source, forKey: .source); try c.encode(author, forKey: .author)
        try c.encode(external_id, forKey: .external_id); try c.encode(created_at, forKey: .created_at)
    }
    enum CodingKeys: CodingKey { case id, object, session_id, run_id, role, content, source, author, external_id, created_at }
}

public struct Run: Encodable, Sendable, Equatable {
    public var id: String
    public var object = "run"
    public var session_id: String
    public var status: String
    public var stop_reason: String?
    public var error: JSONValue?
    public var usage: JSONValue?
    public var created_at: String
    public var started_at: String?
    public var completed_at: String?

    public init(_ r: RunRecord) {
        id = r.id; session_id = r.sessionID; status = r.status; stop_reason = r.stopReason
        error = r.error.map(JSONValue.decode); usage = r.usage.map(JSONValue.decode)
        created_at = r.createdAt; started_at = r.startedAt; completed_at = r.completedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(object, forKey: .object); try c.encode(session_id, forKey: .session_id)
        try c.encode(status, forKey: .status); try c.encode(stop_reason, forKey: .stop_reason)
        try c.encode(error, forKey: .error); try c.encode(usage, forKey: .usage); try c.encode(created_at, forKey: .created_at)
        try c.encode(started_at, forKey: .started_at); try c.encode(completed_at, forKey: .completed_at)
    }
    enum CodingKeys: CodingKey { case id, object, session_id, status, stop_reason, error, usage, created_at, started_at, completed_at }
}

/// The request an approval is about, with secrets already removed by whoever created it.
public struct ApprovalRequestDetails: Codable, Sendable, Equatable {
    public var method: String
    public var host: String
    public var path: String
    public var headers: [String: String]
    public var body_preview: String
    public init(method: String, host: String, path: String, headers: [String: String], body_preview: String) {
        self.method = method; self.host = host; self.path = path; self.headers = headers; self.body_preview = body_preview
    }
}

public struct ApprovalDecision: Codable, Sendable, Equatable {
    public var decision: String
    public var by: String
    public var reason: String?
    public var decided_at: String
    public init(decision: String, by: String, reason: String?, decided_at: String) {
        self.decision = decision; self.by = by; self.reason = reason; self.decided_at = decided_at
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(decision, forKey: .decision); try c.encode(by, forKey: .by); try c.encode(reason, forKey: .reason)
        try c.encode(decided_at, forKey: .decided_at)
    }
    enum CodingKeys: CodingKey { case decision, by, reason, decided_at }
}

public struct Approval: Encodable, Sendable, Equatable {
    public var id: String
    public var object = "approval"
    public var session_id: String
    public var run_id: String?
    public var status: String
    public var kind: String
    public var summary: String
    public var request: ApprovalRequestDetails
    public var decision: ApprovalDecision?
    public var created_at: String
    public var expires_at: String

    public init(_ r: ApprovalRecord) {
        id = r.id; session_id = r.sessionID; run_id = r.runID; status = r.status; kind = r.kind; summary = r.summary
        request = (try? JSONCoding.decoder.decode(ApprovalRequestDetails.self, from: Data(r.request.utf8)))
            ?? ApprovalRequestDetails(method: "", host: "", path: "", headers: [:], body_preview: "")
        decision = r.decision.flatMap { try? JSONCoding.decoder.decode(ApprovalDecision.self, from: Data($0.utf8)) }
        created_at = r.createdAt; expires_at = r.expiresAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(object, forKey: .object); try c.encode(session_id, forKey: .session_id)
        try c.encode(run_id, forKey: .run_id); try c.encode(status, forKey: .status); try c.encode(kind, forKey: .kind)
        try c.encode(summary, forKey: .summary); try c.encode(request, forKey: .request)
        try c.encode(decision, forKey: .decision); try c.encode(created_at, forKey: .created_at)
        try c.encode(expires_at, forKey: .expires_at)
    }
    enum CodingKeys: CodingKey { case id, object, session_id, run_id, status, kind, summary, request, decision, created_at, expires_at }
}

public struct APIKey: Encodable, Sendable, Equatable {
    public var id: String
    public var object = "api_key"
    public var name: String
    public var role: String
    /// The first characters of the key, to recognise it; the key itself is shown only once.
    public var prefix: String
    public var created_at: String
    /// Only in the response that created the key.
    public var key: String?

    public init(_ r: APIKeyRecord, key: String? = nil) {
        id = r.id; name = r.name; role = r.role; prefix = r.prefix; created_at = r.createdAt; self.key = key
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(object, forKey: .object); try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role); try c.encode(prefix, forKey: .prefix); try c.encode(created_at, forKey: .created_at)
        if let key { try c.encode(key, forKey: .key) }
    }
    enum CodingKeys: CodingKey { case id, object, name, role, prefix, created_at, key }
}

public struct AuditEntry: Encodable, Sendable, Equatable {
    public var id: String
    public var object = "audit_record"
    public var kind: String
    public var actor: String?
    public var session_id: String?
    public var subject_id: String?
    public var detail: JSONValue
    public var created_at: String

    public init(_ r: AuditRecord) {
        id = r.id; kind = r.kind; actor = r.actor; session_id = r.sessionID; subject_id = r.subjectID
        detail = JSONValue.decode(r.detail); created_at = r.createdAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(object, forKey: .object); try c.encode(kind, forKey: .kind)
        try c.encode(actor, forKey: .actor); try c.encode(session_id, forKey: .session_id)
        try c.encode(subject_id, forKey: .subject_id); try c.encode(detail, forKey: .detail)
        try c.encode(created_at, forKey: .created_at)
    }
    enum CodingKeys: CodingKey { case id, object, kind, actor, session_id, subject_id, detail, created_at }
}

/// An event as streamed and stored: `data` is the resource it is about.
public struct Event: Sendable, Equatable {
    public var record: EventRecord
    public init(_ record: EventRecord) { self.record = record }

    /// The JSON sent as the SSE `data:` line.
    public var json: String {
        "{\"created_at\":\"\(record.createdAt)\",\"data\":\(record.data),\"id\":\"\(record.id)\",\"object\":\"event\"," +
            "\"seq\":\(record.sessionSeq),\"session_id\":\"\(record.sessionID)\",\"type\":\"\(record.type)\"}"
    }
}
