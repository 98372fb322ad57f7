import Foundation

/// Google Chat's `Authorization: Bearer` token. Which token Chat sends depends on the app's
/// "Authentication Audience" setting:
/// - project number: a JWT issued by `chat@system.gserviceaccount.com` for the project number,
///   signed with the keys at `chatKeySetURL`;
/// - HTTP endpoint URL: a Google ID token issued by `accounts.google.com` for the endpoint URL,
///   signed with Google's OAuth keys (`idTokenKeySetURL`), whose verified `email` is Chat's
///   service account.
public struct GoogleChatTokenVerifier: WebhookVerifier {
    public enum Audience: Sendable, Equatable {
        case projectNumber(String)
        case endpointURL(String)
    }

    public static let chatServiceAccount = "chat@system.gserviceaccount.com"
    public static let chatKeySetURL = "https://www.googleapis.com/service_accounts/v1/jwk/chat@system.gserviceaccount.com"
    public static let idTokenKeySetURL = "https://www.googleapis.com/oauth2/v3/certs"

    /// The key set that signs tokens for `audience`, for building the `JWKSCache`.
    public static func keySetURL(for audience: Audience) -> String {
        switch audience {
        case .projectNumber: return chatKeySetURL
        case .endpointURL: return idTokenKeySetURL
        }
    }

    private let audience: Audience
    private let validation: BearerTokenValidation

    /// `keys` must fetch from `keySetURL(for: audience)`. 300 s of clock skew, as Google's Java
    /// client allows.
    public init(audience: Audience, keys: JWKSCache, clockSkew: TimeInterval = 300) {
        self.audience = audience
        switch audience {
        case .projectNumber(let number):
            validation = BearerTokenValidation(keys: keys, issuers: [Self.chatServiceAccount], audience: number,
                                               clockSkew: clockSkew, platform: "Google Chat")
        case .endpointURL(let url):
            validation = BearerTokenValidation(keys: keys, issuers: ["https://accounts.google.com", "accounts.google.com"],
                                               audience: url, clockSkew: clockSkew, platform: "Google Chat")
        }
    }

    public func verify(_ delivery: InboundDelivery, now: Date) async throws(VerificationFailure) {
        let token = try await validation.validate(delivery, now: now)
        guard case .endpointURL = audience else { return }
        // Any Google account can get an ID token for our URL; only Chat's own account may call.
        guard token.claims.string("email") == Self.chatServiceAccount, token.claims.bool("email_verified") == true else {
            throw .claimRejected("the ID token is not for \(Self.chatServiceAccount) with a verified email")
        }
    }
}
