import Foundation

/// Microsoft Teams through the Bot Framework: the channel's `Authorization: Bearer` JWT, RS256
/// under a key from the Bot Framework's OpenID metadata, issued by `https://api.botframework.com`
/// for this bot's app id, within 5 minutes of clock skew. The token's `serviceurl` claim must
/// equal the activity's `serviceUrl`, since replies go there; and when the key set endorses keys
/// for channels, the activity's `channelId` must be among the signing key's endorsements.
public struct BotFrameworkTokenVerifier: WebhookVerifier {
    public static let issuer = "https://api.botframework.com"
    public static let openIDConfigurationURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"

    private let validation: BearerTokenValidation

    /// `keys` is usually `JWKSCache(fetcher: HTTPKeySetFetcher(client:, source:
    /// .openIDConfiguration(url: BotFrameworkTokenVerifier.openIDConfigurationURL)))`.
    public init(appID: String, keys: JWKSCache, issuer: String = Self.issuer, clockSkew: TimeInterval = 300) {
        validation = BearerTokenValidation(keys: keys, issuers: [issuer], audience: appID, clockSkew: clockSkew,
                                           platform: "Bot Framework")
    }

    public func verify(_ delivery: InboundDelivery, now: Date) async throws(VerificationFailure) {
        let token = try await validation.validate(delivery, now: now)
        struct Activity: Decodable {
            let serviceUrl: String
            let channelId: String?
        }
        guard let activity = try? JSONDecoder().decode(Activity.self, from: Data(delivery.body)) else {
            throw .payloadMalformed("a Bot Framework activity must be a JSON object with serviceUrl")
        }
        // Bot Framework spells the claim `serviceurl`; some issuers use `serviceUrl`.
        guard let claimed = token.claims.string("serviceurl") ?? token.claims.string("serviceUrl") else {
            throw .claimRejected("the token has no serviceurl claim to match the activity's serviceUrl")
        }
        guard claimed == activity.serviceUrl else {
            throw .claimRejected("the token's serviceurl claim is not the activity's serviceUrl")
        }
        // As the Bot Framework SDKs do: an activity naming no channel asserts nothing to endorse.
        if let channel = activity.channelId, !channel.isEmpty,
           !(token.key.endorsements ?? []).contains(channel) {
            throw .claimRejected("the signing key '\(token.key.id)' is not endorsed for channel '\(channel.prefix(64))'")
        }
    }
}
