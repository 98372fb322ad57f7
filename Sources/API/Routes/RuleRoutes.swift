import Core
import HTTP

struct CreateRuleBody: Decodable {
    var host: String
    var methods: [String]?
    var path_prefix: String?
    var action: String
    var rate_limit_per_minute: WholeNumber?
}

/// An integer body field. Foundation's decoder reports a fractional number for an `Int` with no
/// coding path, which would be a 400 without `param`; this names the field.
struct WholeNumber: Decodable {
    let value: Int

    init(from decoder: any Decoder) throws {
        let number = try decoder.singleValueContainer().decode(Double.self)
        guard number.rounded() == number else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "must be a whole number."))
        }
        // Out of any range the API takes; the caller's range check says so.
        value = abs(number) < 1e15 ? Int(number) : (number > 0 ? .max : .min)
    }
}

/// Egress rules: which requests agents may send through the proxy. Admins change them;
/// operators may read them, to see why a request was refused or held.
enum RuleRoutes {
    static let readers: Set<Role> = [.admin, .operator]

    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/rules", ctx.route(Access.adminOnly, "manage egress rules") { request, principal in
            let body = try JSONBody.decode(CreateRuleBody.self, from: request)
            let spec = RuleSpec(host: body.host, methods: body.methods, pathPrefix: body.path_prefix, action: body.action,
                                rateLimitPerMinute: body.rate_limit_per_minute?.value)
            return try await Idempotency.run(request, principal, core: ctx.core, status: .created) { tx in
                JSONCoding.encode(try tx.createRule(spec, actor: principal.keyID))
            }
        })
        router.get("/v1/rules", ctx.route(readers, "read egress rules") { request, _ in
            Pagination.response(try await ctx.core.listRules(page: try Pagination.page(from: request))) { $0.id }
        })
        router.delete("/v1/rules/{id}", ctx.route(Access.adminOnly, "manage egress rules") { request, principal in
            let id = request.parameters["id"]!
            try await ctx.core.write { tx in try tx.deleteRule(id, actor: principal.keyID) }
            return .json(JSONCoding.encode(DeletedObject(id: id, object: "rule")), status: .ok)
        })
    }
}
