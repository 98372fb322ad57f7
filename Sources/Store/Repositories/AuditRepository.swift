public struct AuditRepository {
    let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func insert(_ a: AuditRecord) throws {
        try db.execute("""
            INSERT INTO audit (id, created_at, actor, kind, session_id, subject_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(a.id), .text(a.createdAt), RunRepository.opt(a.actor), .text(a.kind),
                  RunRepository.opt(a.sessionID), RunRepository.opt(a.subjectID), .text(a.detail)])
    }

    public func list(session: String?, kind: String?, page: PageRequest) throws -> Page<AuditRecord> {
        var conditions: [String] = []
        var bindings: [SQLValue] = []
        if let session { conditions.append("session_id = ?"); bindings.append(.text(session)) }
        if let kind { conditions.append("kind = ?"); bindings.append(.text(kind)) }
        return try Pager.fetch(db, from: "audit", where: conditions, bindings, page: page) { r in
            AuditRecord(id: try r.get("id"), createdAt: try r.get("created_at"), actor: try r.get("actor"),
                        kind: try r.get("kind"), sessionID: try r.get("session_id"), subjectID: try r.get("subject_id"),
                        detail: try r.get("detail"))
        }
    }
}
