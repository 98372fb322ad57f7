import Core
import HTTP

struct DecisionBody: Decodable {
    var decision: String
    var reason: String?
}

enum ApprovalRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.get("/v1/approvals", ctx.route(Access.approvalsRead, "read approvals") { request, _ in
            let page = try Pagination.page(from: request)
            let status = try QueryFilter.oneOf(request, "status", ApprovalStatus.allCases.map(\.rawValue))
            let session = request.queryParameters["session_id"]
            return Pagination.response(try await ctx.core.listApprovals(status: status, session: session, page: page)) { $0.id }
        })
        router.get("/v1/approvals/{id}", ctx.route(Access.approvalsRead, "read approvals") { request, _ in
            let id = request.parameters["id"]!
            guard let approval = try await ctx.core.approval(id) else { throw APIError.notFound("approval", id) }
            return .json(JSONCoding.encode(approval), status: .ok)
        })
        router.post("/v1/approvals/{id}/decision", ctx.route(Access.approvalsDecide, "decide approvals") { request, principal in
            let id = request.parameters["id"]!
            let body = try JSONBody.decode(DecisionBody.self, from: request)
            guard body.decision == "approve" || body.decision == "deny" else {
                throw APIError.invalid("decision", "'decision' must be 'approve' or 'deny'.")
            }
            if let reason = body.reason, reason.unicodeScalars.count > 1000 { throw APIError.invalid("reason", "'reason' is limited to 1000 characters.") }
            return try await Idempotency.run(request, principal, core: ctx.core, status: .ok) { tx in
                JSONCoding.encode(try tx.decideApproval(id, approve: body.decision == "approve", reason: body.reason,
                                                        by: principal.keyID))
            }
        })
    }
}
