import Core

/// One `proxy.request` audit row for a forwarded request: ModelRoute's fields plus the rule
/// that decided it. The path never has the query.
struct ForwardAuditEntry: Sendable {
    var base: ProxyAuditEntry
    var rule: String?

    var detail: [String: JSONValue] {
        var detail = base.detail
        detail["rule"] = rule.map(JSONValue.string) ?? .null
        return detail
    }
}

extension ProxyAuditor {
    func record(_ entry: ForwardAuditEntry) async {
        let detail = entry.detail
        do {
            try await core.write { tx in
                try tx.audit(ProxyAuditEntry.kind, actor: nil, session: entry.base.session, detail: detail)
            }
        } catch {
            logger.error("could not write the audit entry of a forwarded request",
                         metadata: ["session": "\(entry.base.session ?? "-")", "path": "\(entry.base.path)",
                                    "error": "\(error)"])
        }
    }
}
