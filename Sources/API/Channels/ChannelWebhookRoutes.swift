import Channels
import Core
import Foundation
import HTTP

/// `POST|GET /webhooks/{platform}/{channel_id}`: where chat platforms deliver. No API key: the
/// platform's signature is verified instead, on the raw bytes, before anything parses them.
/// Order: channel → verify (401/400, nothing written) → parse (its status, nothing written) →
/// one write with the dedupe rows and the messages → the platform's acknowledgement. A store
/// that does not answer is 503 with `Retry-After`, so the platform delivers again; what Warden
/// merely does not handle is acknowledged 2xx, or the platform would disable the webhook.
enum ChannelWebhookRoutes {
    static let template = "/webhooks/{platform}/{channel_id}"

    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post(template, handler(ctx))
        // WhatsApp's subscription check (`hub.challenge`) is a GET.
        router.get(template, handler(ctx))
    }

    private static func handler(_ ctx: APIContext) -> Router.Handler {
        .async { request in try await receive(request, ctx) }
    }

    private static func receive(_ request: Request, _ ctx: APIContext) async throws -> Response {
        let channelID = request.parameters["channel_id"] ?? ""
        guard let platform = ChannelPlatform(name: request.parameters["platform"] ?? ""),
              let resolved = try await ctx.channelEndpoints.resolve(channelID, platform: platform) else {
            throw APIError.notFound("channel", channelID)
        }
        guard request.method != "GET" || resolved.endpoint.acceptsGET else {
            throw HTTPError(.methodNotAllowed, code: "method_not_allowed",
                            message: "\(platform.displayName) delivers with POST.", headers: ["Allow": "POST"])
        }
        let delivery = InboundDelivery(request)
        try await resolved.endpoint.verify(delivery, now: Date())
        let events: [InboundEvent]
        do {
            events = try resolved.endpoint.parser.parse(delivery)
        } catch {
            throw HTTPError(HTTPStatus(error.status), code: error.code, message: error.message)
        }
        let messages = events.compactMap { event -> ChannelInbound? in
            guard case .message(let message) = event else { return nil }
            return message.inbound(scope: resolved.scope)
        }
        let decisions = events.compactMap { event -> ChannelDecision? in
            guard case .approvalAction(let action) = event else { return nil }
            return ChannelDecision(approvalID: action.approvalID, approve: action.decision == .approve, reason: action.reason,
                                   actorID: action.actor.id, deliveryID: action.deliveryID)
        }
        if !messages.isEmpty || !decisions.isEmpty {
            let channel = resolved.channel
            do {
                _ = try await ctx.core.write { tx in
                    _ = try tx.ingestChannelMessages(messages, channel: channel)
                    for decision in decisions { _ = try tx.decideApprovalFromChannel(decision, channel: channel) }
                }
            } catch {
                throw ChannelUnavailable.store(error)
            }
        }
        return response(WebhookReply.acknowledgement(platform: platform, events: events))
    }

    private static func response(_ reply: WebhookReply) -> Response {
        var headers = HTTPHeaders()
        if let contentType = reply.contentType { headers.add("Content-Type", contentType) }
        return Response(status: HTTPStatus(reply.status), headers: headers, bytes: reply.body)
    }
}
