import Foundation

/// An approval as `GET /v1/approvals/{id}` returns it (openapi.yaml `Approval`).
struct Approval: Decodable {
    struct Request: Decodable {
        let method: String
        let host: String
        let path: String
        let headers: [String: String]
        let bodyPreview: String
    }
    struct Decision: Decodable {
        let decision: String
        let by: String
        let reason: String?
        let decidedAt: String
    }
    let id: String
    let sessionId: String
    let runId: String?
    let status: String
    let kind: String
    let summary: String
    let request: Request
    let decision: Decision?
    let createdAt: String
    let expiresAt: String
}

/// A page of `GET /v1/approvals` (openapi.yaml `ApprovalList`).
struct ApprovalPage: Decodable {
    let data: [Approval]
    let hasMore: Bool
    let lastId: String?
}

extension Approval {
    /// One line of `warden approvals list`; columns padded to their longest values so they line up.
    var line: String {
        [id, status.padding(toLength: 9, withPad: " ", startingAt: 0), kind.padding(toLength: 12, withPad: " ", startingAt: 0),
         sessionId, expiresAt, Terminal.safe(summary)].joined(separator: "  ")
    }

    /// `warden approvals show`: everything a person needs to decide, one field a line.
    var block: String {
        var lines = [
            ("id", id), ("status", status), ("kind", kind), ("summary", summary),
            ("session", sessionId), ("run", runId ?? "-"),
            ("request", "\(request.method) \(request.host)\(request.path)"),
        ]
        for (name, value) in request.headers.sorted(by: { $0.key.lowercased() < $1.key.lowercased() }) {
            lines.append(("", "\(name): \(value)"))
        }
        if !request.bodyPreview.isEmpty { lines.append(("body", request.bodyPreview)) }
        lines += [("created_at", createdAt), ("expires_at", expiresAt)]
        if let decision {
            let reason = decision.reason.map { ", reason: \($0)" } ?? ""
            lines.append(("decision", "\(decision.decision) by \(decision.by) at \(decision.decidedAt)\(reason)"))
        }
        return lines.map { name, value in
            "\(name.padding(toLength: 11, withPad: " ", startingAt: 0))\(Terminal.safe(value))"
        }.joined(separator: "\n")
    }
}

enum Terminal {
    /// Escapes control characters. Summaries, paths, headers and bodies come from the agent's
    /// request: printed raw, escape sequences in them could redraw the terminal and make a request
    /// look other than it is to the person deciding on it.
    static func safe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
