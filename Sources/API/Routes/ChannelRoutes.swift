import Channels
import Core
import HTTP

struct CreateChannelBody: Decodable {
    var platform: String
    var name: String
    var settings: JSONValue?
    var verification_credential_id: String?
    var bot_credential_id: String?
    var sessions_policy: String?
    var approvers: [String]?
}

/// Chat channels: a platform connection, its secrets by credential id, its sessions policy and
/// its approvers. Admins only, like the credentials they reference.
enum ChannelRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/channels", ctx.route(Access.adminOnly, "manage channels") { request, principal in
            let body = try JSONBody.decode(CreateChannelBody.self, from: request)
            let settings = body.settings ?? .object([:])
            // The platform's own checks first (Channels), then those every channel shares (Core).
            let checked = try ChannelSettings(platformName: body.platform, settings: settings,
                                              verificationCredentialID: body.verification_credential_id)
            let spec = ChannelSpec(platform: checked.platform.rawValue, name: body.name, settings: settings,
                                   verificationCredentialID: body.verification_credential_id,
                                   botCredentialID: body.bot_credential_id, sessionsPolicy: body.sessions_policy,
                                   approvers: body.approvers, settingsCredentialIDs: checked.credentialIDs,
                                   botCredentialExchange: checked.platform.botCredentialExchange)
            return try await Idempotency.run(request, principal, core: ctx.core, status: .created) { tx in
                JSONCoding.encode(try tx.createChannel(spec, actor: principal.keyID))
            }
        })
        router.get("/v1/channels", ctx.route(Access.adminOnly, "manage channels") { request, _ in
            Pagination.response(try await ctx.core.listChannels(page: try Pagination.page(from: request))) { $0.id }
        })
        router.get("/v1/channels/{id}", ctx.route(Access.adminOnly, "manage channels") { request, _ in
            let id = request.parameters["id"]!
            guard let channel = try await ctx.core.channel(id) else { throw APIError.notFound("channel", id) }
            return .json(JSONCoding.encode(channel), status: .ok)
        })
        router.get("/v1/channels/{id}/deliveries", ctx.route(Access.adminOnly, "manage channels") { request, _ in
            let id = request.parameters["id"]!
            let page = try Pagination.page(from: request)
            return Pagination.response(try await ctx.core.listChannelDeliveries(channel: id, page: page)) { $0.record.id }
        })
        router.delete("/v1/channels/{id}", ctx.route(Access.adminOnly, "manage channels") { request, principal in
            let id = request.parameters["id"]!
            try await ctx.core.write { tx in try tx.deleteChannel(id, actor: principal.keyID) }
            ctx.channelEndpoints.forget(id)
            return .json(JSONCoding.encode(DeletedObject(id: id, object: "channel")), status: .ok)
        })
    }
}
