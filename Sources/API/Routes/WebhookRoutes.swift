import Core
import HTTP

struct CreateWebhookBody: Decodable {
    var url: String
    var events: [String]
    var description: String?
}

/// Outbound webhooks (admin only). The signing secret is made by warden, sealed in the vault
/// and shown once, in the 201; a replay of the POST returns the webhook without it.
enum WebhookRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/webhooks", ctx.route(Access.adminOnly, "manage webhooks") { request, principal in
            let sealer = try ctx.credentialStore().vault
            let body = try JSONBody.decode(CreateWebhookBody.self, from: request)
            let spec = WebhookSpec(url: body.url, events: body.events, description: body.description)
            return try await OneTimeSecret.created(request, principal, core: ctx.core, field: "secret") { tx in
                let (webhook, secret) = try tx.createWebhook(spec, sealer: sealer, actor: principal.keyID)
                return (JSONCoding.encode(webhook), secret.revealText())
            }
        })
        router.get("/v1/webhooks", ctx.route(Access.adminOnly, "manage webhooks") { request, _ in
            Pagination.response(try await ctx.core.listWebhooks(page: try Pagination.page(from: request))) { $0.id }
        })
        router.get("/v1/webhooks/{id}", ctx.route(Access.adminOnly, "manage webhooks") { request, _ in
            let id = request.parameters["id"]!
            guard let webhook = try await ctx.core.webhook(id) else { throw APIError.notFound("webhook", id) }
            return .json(JSONCoding.encode(webhook), status: .ok)
        })
        router.delete("/v1/webhooks/{id}", ctx.route(Access.adminOnly, "manage webhooks") { request, principal in
            let id = request.parameters["id"]!
            try await ctx.core.write { tx in try tx.deleteWebhook(id, actor: principal.keyID) }
            return .json(JSONCoding.encode(DeletedObject(id: id, object: "webhook")), status: .ok)
        })
        router.get("/v1/webhooks/{id}/deliveries", ctx.route(Access.adminOnly, "manage webhooks") { request, _ in
            let id = request.parameters["id"]!
            let page = try Pagination.page(from: request)
            return Pagination.response(try await ctx.core.listWebhookDeliveries(webhook: id, page: page)) { $0.record.id }
        })
    }
}
