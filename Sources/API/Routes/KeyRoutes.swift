import Core
import HTTP

struct CreateKeyBody: Decodable {
    var role: String
    var name: String?
}

struct DeletedObject: JSONWritable {
    var id: String
    var object: String

    func write(to w: inout JSONWriter) {
        w.objectStart(); w.key("deleted", true); w.key("id", id); w.key("object", object); w.objectEnd()
    }
}

enum KeyRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/keys", ctx.route(Access.adminOnly, "manage API keys") { request, principal in
            let body = try JSONBody.decode(CreateKeyBody.self, from: request)
            guard let role = Role(rawValue: body.role) else {
                throw APIError.invalid("role", "'role' must be one of: admin, operator, approver, client.")
            }
            if let name = body.name, name.unicodeScalars.count > 128 { throw APIError.invalid("name", "'name' is limited to 128 characters.") }
            // The secret is shown once: it is not kept for idempotent replays, which return the key without it.
            return try await OneTimeSecret.created(request, principal, core: ctx.core, field: "key") { tx in
                let (key, secret) = try tx.createKey(role: role, name: body.name ?? "", createdBy: principal.keyID)
                var stored = key
                stored.key = nil
                return (JSONCoding.encode(stored), secret)
            }
        })
        router.get("/v1/keys", ctx.route(Access.adminOnly, "manage API keys") { request, _ in
            Pagination.response(try await ctx.core.listKeys(try Pagination.page(from: request))) { $0.id }
        })
        router.delete("/v1/keys/{id}", ctx.route(Access.adminOnly, "manage API keys") { request, principal in
            let id = request.parameters["id"]!
            guard id != principal.keyID else {
                throw HTTPError(.conflict, code: "cannot_revoke_own_key",
                                message: "A key cannot revoke itself; revoke it with another admin key.")
            }
            try await ctx.core.write { tx in try tx.revokeKey(id, by: principal.keyID) }
            return .json(JSONCoding.encode(DeletedObject(id: id, object: "api_key")), status: .ok)
        })
    }
}
