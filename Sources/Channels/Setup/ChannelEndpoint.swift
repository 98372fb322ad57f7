import Core
import Foundation
import HTTP
import Synchronization

/// What one configured channel needs to take a delivery: the platform's verifier, built from
/// the channel's settings and its unsealed secret, and its parser.
public struct ChannelEndpoint: Sendable {
    public let platform: ChannelPlatform
    public let verifier: any WebhookVerifier
    public let parser: any ChannelParser

    /// `verificationSecret` is the unsealed verification credential (nil for platforms that sign
    /// with public keys); `verifyToken` is WhatsApp's GET subscription token.
    public init(settings: ChannelSettings, verificationSecret: String?, verifyToken: String?,
                keySets: KeySetRegistry) throws(VerifierConfigurationError) {
        platform = settings.platform
        func secret() throws(VerifierConfigurationError) -> WebhookSecret { try WebhookSecret(verificationSecret ?? "") }
        switch settings.platform {
        case .slack: verifier = SlackSignatureVerifier(signingSecret: try secret())
        case .telegram: verifier = TelegramSecretTokenVerifier(secretToken: try secret())
        case .whatsapp, .github: verifier = HubSignatureVerifier(secret: try secret())
        case .linear: verifier = LinearSignatureVerifier(secret: try secret())
        case .discord: verifier = try DiscordSignatureVerifier(publicKeyHex: settings.discordPublicKey ?? "")
        case .teams:
            let url = settings.teamsOpenIDConfigurationURL ?? BotFrameworkTokenVerifier.openIDConfigurationURL
            verifier = BotFrameworkTokenVerifier(appID: settings.teamsAppID ?? "",
                                                 keys: try keySets.cache(.openIDConfiguration(url: url), key: url))
        case .googleChat:
            guard let audience = settings.googleChatAudience else { throw .invalidURL("no audience") }
            let url = settings.googleChatKeySetURL ?? GoogleChatTokenVerifier.keySetURL(for: audience)
            verifier = GoogleChatTokenVerifier(audience: audience, keys: try keySets.cache(.keySet(url: url), key: url))
        }
        parser = ChannelParsers.parser(for: settings.platform, bot: settings.bot, whatsAppVerifyToken: verifyToken)
    }

    /// Verifies a delivery before it is parsed. WhatsApp's GET subscription check carries no
    /// signature: its proof is the verify token, which the parser compares in constant time.
    /// Every other delivery is a signed POST.
    public func verify(_ delivery: InboundDelivery, now: Date) async throws(VerificationFailure) {
        if delivery.method == "GET", platform == .whatsapp { return }
        try await verifier.verify(delivery, now: now)
    }

    /// Whether the platform sends GET requests at all (WhatsApp's subscription check).
    public var acceptsGET: Bool { platform == .whatsapp }
}

/// One `JWKSCache` per key-set URL for the whole process, so channels of one platform share the
/// platform's keys and its refetch limit. Without an HTTP client, keys cannot be fetched and
/// token platforms fail closed (401 `keys_unavailable`).
public final class KeySetRegistry: Sendable {
    private let client: HTTPClient?
    private let caches = Mutex<[String: JWKSCache]>([:])

    public init(client: HTTPClient?) { self.client = client }

    func cache(_ source: HTTPKeySetFetcher.Source, key: String) throws(VerifierConfigurationError) -> JWKSCache {
        if let cache = caches.withLock({ $0[key] }) { return cache }
        let fetcher: any KeySetFetcher
        if let client {
            fetcher = try HTTPKeySetFetcher(client: client, source: source)
        } else {
            fetcher = UnavailableKeySetFetcher()
        }
        let made = JWKSCache(fetcher: fetcher)
        return caches.withLock { caches in
            if let existing = caches[key] { return existing }
            caches[key] = made
            return made
        }
    }
}

private struct UnavailableKeySetFetcher: KeySetFetcher {
    func fetchKeySet() async throws(KeySetFetchError) -> FetchedKeySet {
        throw KeySetFetchError("this server has no HTTP client to fetch the platform's keys with")
    }
}

extension ChannelMessage {
    /// The message as the core stores it, under the channel's sessions policy.
    public func inbound(scope: SessionScope) -> ChannelInbound {
        let place = thread.threadID.map { "\(thread.conversationID) \($0)" } ?? thread.conversationID
        let title: String
        switch scope {
        case .thread: title = "\(platform.rawValue) \(place)"
        case .channel: title = "\(platform.rawValue) \(thread.conversationID)"
        case .user: title = "\(platform.rawValue) \(author.displayName ?? author.id)"
        }
        return ChannelInbound(deliveryID: deliveryID, messageID: messageID, sessionKey: sessionKey(scope),
                              sessionTitle: String(title.prefix(200)), text: text, authorID: author.id,
                              replyTarget: ReplyTargetCoding.encode(replyTarget))
    }
}
