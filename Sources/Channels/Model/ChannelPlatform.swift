import Core
/// The chat platforms Warden connects to (SPEC §6). The raw value is the platform's name in
/// API paths and resources: `POST /webhooks/{platform}/{channel_id}`, `"platform": "slack"`.
public enum ChannelPlatform: String, Sendable, CaseIterable, Codable {
    case slack, telegram, discord, whatsapp, github, linear, teams
    case googleChat = "google_chat"

    /// The platform named in a path or a request body; nil for anything else.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The platform's name for people, in messages and errors.
    public var displayName: String {
        switch self {
        case .slack: return "Slack"
        case .telegram: return "Telegram"
        case .discord: return "Discord"
        case .whatsapp: return "WhatsApp"
        case .github: return "GitHub"
        case .linear: return "Linear"
        case .teams: return "Microsoft Teams"
        case .googleChat: return "Google Chat"
        }
    }
}

extension ChannelPlatform {
    /// The token exchange a bot credential must use: Teams (Bot Framework client credentials)
    /// and Google Chat (a service account) have no token that could be stored as is.
    public var botCredentialExchange: CredentialExchangeKind? {
        switch self {
        case .teams: return .oauthClientCredentials
        case .googleChat: return .googleServiceAccount
        case .slack, .telegram, .discord, .whatsapp, .github, .linear: return nil
        }
    }
}
