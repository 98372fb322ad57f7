import Core
import HTTP

struct SessionBody: Decodable {
    var title: String?
    var metadata: JSONValue?
    var agent: JSONValue?

    func validated() throws -> SessionInput {
        if let title, title.unicodeScalars.count > 256 { throw APIError.invalid("title", "'title' is limited to 256 characters.") }
        for (name, value) in [("metadata", metadata), ("agent", agent)] {
            guard let value else { continue }
            guard case .object(let fields) = value else { throw APIError.invalid(name, "'\(name)' must be an object.", code: "invalid_type") }
            guard fields.count <= 50, value.encodedText.utf8.count <= 16 * 1024 else {
                throw APIError.invalid(name, "'\(name)' is limited to 50 keys and 16 KiB.")
            }
        }
        return SessionInput(title: title, metadata: metadata, agent: agent)
    }
}

enum SessionRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/sessions", ctx.route(Access.sessions, "create sessions") { request, principal in
            let input = try JSONBody.decode(SessionBody.self, from: request, allowEmpty: true).validated()
            return try await Idempotency.run(request, principal, core: ctx.core, status: .created) { tx in
                JSONCoding.encode(try tx.createSession(input, owner: principal.keyID))
            }
        })
        router.get("/v1/sessions", ctx.route(Access.sessions, "list sessions") { request, principal in
            let page = try Pagination.page(from: request)
            let status = try QueryFilter.oneOf(request, "status", SessionStatus.allCases.map(\.rawValue))
            let owner = principal.role == .client ? principal.keyID : nil
            return Pagination.response(try await ctx.core.listSessions(owner: owner, status: status, page: page)) { $0.id }
        })
        router.get("/v1/sessions/{id}", ctx.route(Access.sessions, "read sessions") { request, principal in
            let session = try await ctx.visibleSession(request.parameters["id"]!, for: principal)
            return .json(JSONCoding.encode(Session(session)), status: .ok)
        })
        router.patch("/v1/sessions/{id}", ctx.route(Access.sessions, "change sessions") { request, principal in
            let id = request.parameters["id"]!
            _ = try await ctx.visibleSession(id, for: principal)
            let input = try JSONBody.decode(SessionBody.self, from: request).validated()
            let session = try await ctx.core.write { tx in try tx.updateSession(id, input) }
            return .json(JSONCoding.encode(session), status: .ok)
        })
        router.delete("/v1/sessions/{id}", ctx.route(Access.sessions, "archive sessions") { request, principal in
            let id = request.parameters["id"]!
            _ = try await ctx.visibleSession(id, for: principal)
            let session = try await ctx.core.write { tx in try tx.archiveSession(id, actor: principal.keyID) }
            return .json(JSONCoding.encode(session), status: .ok)
        })
    }
}
