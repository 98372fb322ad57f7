import Core
import HTTP
import Store

enum RunRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.get("/v1/sessions/{id}/runs", ctx.route(Access.sessions, "read runs") { request, principal in
            let id = request.parameters["id"]!
            let page = try Pagination.page(from: request)
            _ = try await ctx.visibleSession(id, for: principal)
            return Pagination.response(try await ctx.core.listRuns(session: id, page: page)) { $0.id }
        })
        router.get("/v1/runs/{id}", ctx.route(Access.sessions, "read runs") { request, principal in
            let run = try await visibleRun(request.parameters["id"]!, principal, ctx)
            return .json(JSONCoding.encode(Run(run)), status: .ok)
        })
        router.post("/v1/runs/{id}/cancel", ctx.route(Access.runsCancel, "cancel runs") { request, principal in
            let run = try await visibleRun(request.parameters["id"]!, principal, ctx)
            return try await Idempotency.run(request, principal, core: ctx.core, status: .ok) { tx in
                JSONCoding.encode(try tx.cancelRun(run.id, actor: principal.keyID))
            }
        })
    }

    static func visibleRun(_ id: String, _ principal: Principal, _ ctx: APIContext) async throws -> RunRecord {
        guard let run = try await ctx.core.runRecord(id) else { throw APIError.notFound("run", id) }
        do {
            _ = try await ctx.visibleSession(run.sessionID, for: principal)
        } catch {
            throw APIError.notFound("run", id)
        }
        return run
    }
}
