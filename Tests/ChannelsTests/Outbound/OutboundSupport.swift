import Channels
import Core
import Foundation
import Testing

let placeholder = "wdn_placeholder_7f3a"

let sampleCard = ApprovalCard(approvalID: approvalID, summary: "POST api.github.com/repos/acme/app/pulls",
                              details: #"{"title":"Bump deps"}"#, sessionTitle: "Dependency updates",
                              expiresAt: "2026-01-01T12:03:00Z")

extension OutboundRequest {
    /// The body as JSON; a test fails on anything else.
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        try #require(try? JSONDecoder().decode(JSONValue.self, from: Data(body)), sourceLocation: sourceLocation)
    }
}

extension JSONValue {
    /// The value at a dotted path, where numbers index arrays: `blocks.1.elements.0.value`.
    func at(_ path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") {
            switch current {
            case .object(let fields)?: current = fields[String(key)]
            case .array(let items)?:
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }

    func string(_ path: String) -> String? {
        if case .string(let s)? = at(path) { return s }
        return nil
    }

    func count(_ path: String) -> Int? {
        if case .array(let items)? = at(path) { return items.count }
        return nil
    }
}

func thread(_ platform: ChannelPlatform, workspace: String? = nil, conversation: String, thread: String? = nil,
            serviceURL: String? = nil) -> ThreadRef {
    ThreadRef(platform: platform, workspaceID: workspace, conversationID: conversation, threadID: thread, serviceURL: serviceURL)
}
