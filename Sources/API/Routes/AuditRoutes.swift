import Core
import HTTP
import Store

enum AuditRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.get("/v1/audit", ctx.route(Access.adminOnly, "read the audit log") { request, _ in
            let page = try Pagination.page(from: request)
            let query = request.queryParameters
            let session = query["session_id"], kind = query["kind"]
            let records = try await ctx.core.read { try AuditRepository($0).list(session: session, kind: kind, page: page) }
            return Pagination.response(records.map(AuditEntry.init)) { $0.id }
        })
    }
}
