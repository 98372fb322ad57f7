import Foundation

/// One attempt at delivering an agent's reply into its platform thread: the reply split to the
/// platform's limit, the parts not yet delivered sent in order, and each answer classified.
/// It stops at the first part that is not delivered, so a retry resumes there and the thread
/// never gets a part twice or out of order.
public struct ReplyAttempt: Sendable {
    public let platform: ChannelPlatform
    public let target: ReplyTarget
    public let text: String
    /// The bot token's credential and the placeholder its requests carry.
    public let credentialID: String?
    public let placeholder: String
    /// Replaces `https://host` of the platform's API (GitHub Enterprise, a test double).
    public let apiOrigin: String?
    public let session: String?

    public init(platform: ChannelPlatform, target: ReplyTarget, text: String, credentialID: String?, placeholder: String,
                apiOrigin: String? = nil, session: String? = nil) {
        self.platform = platform
        self.target = target
        self.text = text
        self.credentialID = credentialID
        self.placeholder = placeholder
        self.apiOrigin = apiOrigin
        self.session = session
    }

    public enum Result: Sendable, Equatable {
        /// Every part is out; the platform's ids of the messages, in order, where it gave them.
        case delivered(partsSent: Int, messageIDs: [String])
        /// Try again later, from part `partsSent`.
        case retry(partsSent: Int, after: Duration?, reason: String)
        case failed(partsSent: Int, reason: String)
    }

    /// Sends the parts from `partsSent` on.
    public func run(from partsSent: Int, over transport: any ChannelTransport, now: @Sendable () -> Date = { Date() }) async -> Result {
        let requests: [OutboundRequest]
        do {
            requests = try ChannelOutbound.replies(text, to: target, credential: placeholder)
        } catch {
            return .failed(partsSent: partsSent, reason: error.description)
        }
        return await Self.send(requests, from: partsSent, platform: platform, apiOrigin: apiOrigin, credentialID: credentialID,
                               session: session, over: transport, now: now)
    }

    /// Sends `requests` from index `partsSent` on, in order, stopping at the first that is not
    /// delivered. Cards and their updates are one-request deliveries through the same path.
    public static func send(_ requests: [OutboundRequest], from partsSent: Int, platform: ChannelPlatform, apiOrigin: String?,
                            credentialID: String?, session: String?, over transport: any ChannelTransport,
                            now: @Sendable () -> Date = { Date() }) async -> Result {
        var sent = partsSent
        var ids: [String] = []
        for request in requests.dropFirst(partsSent) {
            let response: ChannelResponse
            do {
                response = try await transport.send(rebased(request, on: apiOrigin), credentialID: credentialID, session: session)
            } catch {
                return error.retryable ? .retry(partsSent: sent, after: nil, reason: error.reason)
                    : .failed(partsSent: sent, reason: error.reason)
            }
            switch DeliveryOutcome.classify(platform: platform, status: response.status, headers: response.headers,
                                            body: response.body, now: now()) {
            case .delivered(let id):
                sent += 1
                if let id { ids.append(id) }
            case .rateLimited(let after):
                return .retry(partsSent: sent, after: after, reason: "rate limited by \(platform.displayName)")
            case .failed(let reason, let retryable):
                return retryable ? .retry(partsSent: sent, after: nil, reason: reason) : .failed(partsSent: sent, reason: reason)
            }
        }
        return .delivered(partsSent: sent, messageIDs: ids)
    }

    /// `request` with its scheme and host replaced by `origin` (path and query kept).
    static func rebased(_ request: OutboundRequest, on origin: String?) -> OutboundRequest {
        guard let origin, let schemeEnd = request.url.range(of: "://") else { return request }
        let rest = request.url[schemeEnd.upperBound...]
        let path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        var rebased = request
        rebased.url = (origin.hasSuffix("/") ? String(origin.dropLast()) : origin) + path
        return rebased
    }
}
