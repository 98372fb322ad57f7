import Foundation
import Store

/// The resources of SPEC §3 as the API shows them. Every field is written, optional ones as
/// null, so clients see one shape; keys are written in sorted order. JSON columns (content,
/// metadata, …) are kept as the stored text and written as is; the typed accessors decode
/// them for Swift callers.

public struct ContentBlock: Codable, Sendable, Equatable, JSONWritable {
    public var type: String
    public var text: String
    public init(text: String) { type = "text"; self.text = text }

    public func write(to w: inout JSONWriter) {
        w.objectStart(); w.key("text", text); w.key("type", type); w.objectEnd()
    }
}

public struct Session: Sendable, Equatable, JSONWritable {
    public var id: String
    public var status: String
    public var title: String
    public var metadataJSON: String
    public var agentJSON: String
    public var channel: String?
    public var created_at: String
    public var updated_at: String

    public init(_ r: SessionRecord) {
        id = r.id; status = r.status; title = r.title; metadataJSON = r.metadata; agentJSON = r.agent
        channel = r.channel; created_at = r.createdAt; updated_at = r.updatedAt
    }

    public var metadata: JSONValue { JSONValue.decode(metadataJSON) }
    public var agent: JSONValue { JSONValue.decode(agentJSON) }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("agent", raw: agentJSON); w.key("channel", channel); w.key("created_at", created_at); w.key("id", id)
        w.key("metadata", raw: metadataJSON); w.key("object", "session"); w.key("status", status); w.key("title", title)
        w.key("updated_at", updated_at)
        w.objectEnd()
    }
}

public struct Message: Sendable, Equatable, JSONWritable {
    public var id: String
    public var session_id: String
    public var run_id: String?
    public var role: String
    public var contentJSON: String
    public var source: String
    public var author: String?
    public var external_id: String?
    public var created_at: String

    public init(_ r: MessageRecord) {
        id = r.id; session_id = r.sessionID; run_id = r.runID; role = r.role; contentJSON = r.content
        source = r.source; author = r.author; external_id = r.externalID; created_at = r.createdAt
    }

    public var content: [ContentBlock] {
        (try? JSONCoding.decoder.decode([ContentBlock].self, from: Data(contentJSON.utf8))) ?? []
    }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        writeFields(to: &w)
        w.objectEnd()
    }

    /// The fields without the braces, so a response can add to them (see MessageCreated).
    public func writeFields(to w: inout JSONWriter) {
        w.key("author", author); w.key("content", raw: contentJSON); w.key("created_at", created_at)
        w.key("external_id", external_id); w.key("id", id); w.key("object", "message"); w.key("role", role)
        w.key("run_id", run_id); w.key("session_id", session_id); w.key("source", source)
    }
}

public struct Run: Sendable, Equatable, JSONWritable {
    public var id: String
    public var session_id: String
    public var status: String
    public var stop_reason: String?
    public var errorJSON: String?
    public var usageJSON: String?
    public var created_at: String
    public var started_at: String?
    public var completed_at: String?

    public init(_ r: RunRecord) {
        id = r.id; session_id = r.sessionID; status = r.status; stop_reason = r.stopReason
        errorJSON = r.error; usageJSON = r.usage
        created_at = r.createdAt; started_at = r.startedAt; completed_at = r.completedAt
    }

    public var error: JSONValue? { errorJSON.map(JSONValue.decode) }
    public var usage: JSONValue? { usageJSON.map(JSONValue.decode) }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("completed_at", completed_at); w.key("created_at", created_at); w.key("error", raw: errorJSON)
        w.key("id", id); w.key("object", "run"); w.key("session_id", session_id); w.key("started_at", started_at)
        w.key("status", status); w.key("stop_reason", stop_reason); w.key("usage", raw: usageJSON)
        w.objectEnd()
    }
}

/// The request an approval is about, with secrets already removed by whoever created it.
public struct ApprovalRequestDetails: Codable, Sendable, Equatable, JSONWritable {
    public var method: String
    public var host: String
    public var path: String
    public var headers: [String: String]
    public var body_preview: String
    public init(method: String, host: String, path: String, headers: [String: String], body_preview: String) {
        self.method = method; self.host = host; self.path = path; self.headers = headers; self.body_preview = body_preview
    }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("body_preview", body_preview)
        w.key("headers", JSONValue.object(headers.mapValues { .string($0) }))
        w.key("host", host); w.key("method", method); w.key("path", path)
        w.objectEnd()
    }
}

public struct ApprovalDecision: Codable, Sendable, Equatable, JSONWritable {
    public var decision: String
    public var by: String
    public var reason: String?
    public var decided_at: String
    public init(decision: String, by: String, reason: String?, decided_at: String) {
        self.decision = decision; self.by = by; self.reason = reason; self.decided_at = decided_at
    }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("by", by); w.key("decided_at", decided_at); w.key("decision", decision); w.key("reason", reason)
        w.objectEnd()
    }
}

public struct Approval: Sendable, Equatable, JSONWritable {
    public var id: String
    public var session_id: String
    public var run_id: String?
    public var status: String
    public var kind: String
    public var summary: String
    public var requestJSON: String
    public var decisionJSON: String?
    public var created_at: String
    public var expires_at: String

    public init(_ r: ApprovalRecord) {
        id = r.id; session_id = r.sessionID; run_id = r.runID; status = r.status; kind = r.kind; summary = r.summary
        requestJSON = r.request; decisionJSON = r.decision; created_at = r.createdAt; expires_at = r.expiresAt
    }

    public var request: ApprovalRequestDetails {
        (try? JSONCoding.decoder.decode(ApprovalRequestDetails.self, from: Data(requestJSON.utf8)))
            ?? ApprovalRequestDetails(method: "", host: "", path: "", headers: [:], body_preview: "")
    }

    public var decision: ApprovalDecision? {
        decisionJSON.flatMap { try? JSONCoding.decoder.decode(ApprovalDecision.self, from: Data($0.utf8)) }
    }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("created_at", created_at); w.key("decision", raw: decisionJSON); w.key("expires_at", expires_at)
        w.key("id", id); w.key("kind", kind); w.key("object", "approval"); w.key("request", raw: requestJSON)
        w.key("run_id", run_id); w.key("session_id", session_id); w.key("status", status); w.key("summary", summary)
        w.objectEnd()
    }
}

public struct APIKey: Sendable, Equatable, JSONWritable {
    public var id: String
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

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("created_at", created_at); w.key("id", id)
        if let key { w.key("key", key) }
        w.key("name", name); w.key("object", "api_key"); w.key("prefix", prefix); w.key("role", role)
        w.objectEnd()
    }
}

public struct AuditEntry: Sendable, Equatable, JSONWritable {
    public var id: String
    public var kind: String
    public var actor: String?
    public var session_id: String?
    public var subject_id: String?
    public var detailJSON: String
    public var created_at: String

    public init(_ r: AuditRecord) {
        id = r.id; kind = r.kind; actor = r.actor; session_id = r.sessionID; subject_id = r.subjectID
        detailJSON = r.detail; created_at = r.createdAt
    }

    public var detail: JSONValue { JSONValue.decode(detailJSON) }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("actor", actor); w.key("created_at", created_at); w.key("detail", raw: detailJSON); w.key("id", id)
        w.key("kind", kind); w.key("object", "audit_record"); w.key("session_id", session_id)
        w.key("subject_id", subject_id)
        w.objectEnd()
    }
}

/// An event as streamed and stored: `data` is the resource it is about.
public struct Event: Sendable, Equatable {
    public var record: EventRecord
    public init(_ record: EventRecord) { self.record = record }

    /// The JSON sent as the SSE `data:` line.
    public var json: String {
        var w = JSONWriter(capacity: record.data.utf8.count + 200)
        w.objectStart()
        w.key("created_at", record.createdAt); w.key("data", raw: record.data); w.key("id", record.id)
        w.key("object", "event"); w.key("seq", record.sessionSeq); w.key("session_id", record.sessionID)
        w.key("type", record.type)
        w.objectEnd()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
