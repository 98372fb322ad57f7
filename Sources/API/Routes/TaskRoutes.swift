import Core
import HTTP

struct CreateTaskBody: Decodable {
    var cron: String
    var timezone: String?
    var prompt: String
}

/// Scheduled tasks: a prompt posted to the session on a cron schedule in an IANA time zone.
enum TaskRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/sessions/{id}/tasks", ctx.route(Access.sessions, "schedule tasks") { request, principal in
            let id = request.parameters["id"]!
            let body = try JSONBody.decode(CreateTaskBody.self, from: request)
            guard !body.prompt.isEmpty else { throw APIError.invalid("prompt", "'prompt' must not be empty.") }
            guard body.prompt.utf8.count <= 64 * 1024 else { throw APIError.invalid("prompt", "'prompt' is limited to 64 KiB.") }
            guard body.cron.utf8.count <= 256 else { throw APIError.invalid("cron", "'cron' is limited to 256 characters.") }
            let owner = principal.role == .client ? principal.keyID : nil
            return try await Idempotency.run(request, principal, core: ctx.core, status: .created) { tx in
                JSONCoding.encode(try tx.createTask(session: id, cron: body.cron, timezone: body.timezone ?? "UTC",
                                                    prompt: body.prompt, actor: principal.keyID, visibleTo: owner))
            }
        })
        router.get("/v1/sessions/{id}/tasks", ctx.route(Access.sessions, "read tasks") { request, principal in
            let id = request.parameters["id"]!
            let page = try Pagination.page(from: request)
            _ = try await ctx.visibleSession(id, for: principal)
            return Pagination.response(try await ctx.core.listTasks(session: id, page: page)) { $0.record.id }
        })
        router.delete("/v1/tasks/{id}", ctx.route(Access.sessions, "delete tasks") { request, principal in
            let id = request.parameters["id"]!
            let owner = principal.role == .client ? principal.keyID : nil
            try await ctx.core.write { tx in try tx.deleteTask(id, actor: principal.keyID, visibleTo: owner) }
            return .json(JSONCoding.encode(DeletedObject(id: id, object: "task")), status: .ok)
        })
    }
}
