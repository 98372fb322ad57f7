import Core

/// A channel's platform settings (the `settings` object of `POST /v1/channels`), checked when the
/// channel is configured so that a typo shows then, not at the first delivery. Everything here is
/// public information (a public key, an app id, bot user ids); secrets are credentials, by id.
///
/// | platform | settings | verification credential |
/// |---|---|---|
/// | slack, telegram, github, linear | – | the signing secret / secret token / webhook secret |
/// | whatsapp | `verify_token_credential_id` (GET `hub.challenge`) | the Meta app secret |
/// | discord | `public_key` (64 hex digits) | – |
/// | teams | `app_id`, `openid_configuration_url`? | – |
/// | google_chat | `audience` (project number or endpoint URL), `key_set_url`? | – |
///
/// Every platform also takes `bot_ids` and `bot_handles` (`BotIdentity`), so the bot's own
/// messages are ignored and its mention stripped, and `api_base_url`: the origin replies are
/// sent to instead of the platform's public API (GitHub Enterprise, a local test double).
public struct ChannelSettings: Sendable, Equatable {
    public var platform: ChannelPlatform
    public var bot: BotIdentity
    public var discordPublicKey: String?
    public var teamsAppID: String?
    public var teamsOpenIDConfigurationURL: String?
    public var googleChatAudience: GoogleChatTokenVerifier.Audience?
    public var googleChatKeySetURL: String?
    public var whatsAppVerifyTokenCredentialID: String?
    /// `https://host[:port]`, or `http://` for a loopback host; no path.
    public var apiBaseURL: String?

    /// Platforms that sign with a shared secret, which must be a credential.
    public var needsVerificationCredential: Bool {
        switch platform {
        case .slack, .telegram, .whatsapp, .github, .linear: return true
        case .discord, .teams, .googleChat: return false
        }
    }

    /// Credential ids the settings name, by the `param` that names them, for the core to check.
    public var credentialIDs: [String: String] {
        whatsAppVerifyTokenCredentialID.map { ["settings.verify_token_credential_id": $0] } ?? [:]
    }

    /// Reads and checks `settings` for `platformName`; `CoreError.invalid` names the field at fault.
    public init(platformName: String, settings: JSONValue, verificationCredentialID: String?) throws(CoreError) {
        guard let platform = ChannelPlatform(rawValue: platformName) else {
            let names = ChannelPlatform.allCases.map(\.rawValue).joined(separator: ", ")
            throw Self.invalid("platform", "platform must be one of \(names).")
        }
        guard case .object(let fields) = settings else { throw Self.invalid("settings", "settings must be a JSON object.") }
        self.platform = platform
        bot = BotIdentity(ids: Set(try Self.strings(fields, "bot_ids")), handles: Set(try Self.strings(fields, "bot_handles")))
        apiBaseURL = try Self.origin(fields, "api_base_url")
        switch platform {
        case .discord:
            let key = try Self.required(fields, "public_key")
            guard key.utf8.count == 64, Hex.decode(key) != nil else {
                throw Self.invalid("settings.public_key", "public_key must be the application's Ed25519 public key: 64 hexadecimal digits.")
            }
            discordPublicKey = key
        case .teams:
            teamsAppID = try Self.required(fields, "app_id")
            teamsOpenIDConfigurationURL = try Self.url(fields, "openid_configuration_url")
        case .googleChat:
            let audience = try Self.required(fields, "audience")
            if audience.allSatisfy(\.isASCIIDigit) {
                googleChatAudience = .projectNumber(audience)
            } else if audience.hasPrefix("https://") {
                googleChatAudience = .endpointURL(audience)
            } else {
                throw Self.invalid("settings.audience", "audience must be the Google Cloud project number or the app's https:// endpoint URL, as set in the Chat API's Authentication Audience.")
            }
            googleChatKeySetURL = try Self.url(fields, "key_set_url")
        case .whatsapp:
            whatsAppVerifyTokenCredentialID = try Self.required(fields, "verify_token_credential_id")
        case .slack, .telegram, .github, .linear:
            break
        }
        if needsVerificationCredential, verificationCredentialID == nil {
            throw Self.invalid("verification_credential_id",
                               "\(platform.displayName) signs its webhooks with a shared secret: verification_credential_id must name the credential holding it.")
        }
    }

    private static func invalid(_ param: String, _ message: String) -> CoreError {
        .invalid(param: param, code: "invalid_channel", message: message)
    }

    private static func required(_ fields: [String: JSONValue], _ name: String) throws(CoreError) -> String {
        guard case .string(let value)? = fields[name], !value.isEmpty, value.utf8.count <= 2048 else {
            throw invalid("settings.\(name)", "settings.\(name) is required: a non-empty string.")
        }
        return value
    }

    private static func url(_ fields: [String: JSONValue], _ name: String) throws(CoreError) -> String? {
        guard let value = fields[name], value != .null else { return nil }
        guard case .string(let text) = value, (try? KeySetURL(text)) != nil else {
            throw invalid("settings.\(name)", "settings.\(name) must be an http(s) URL.")
        }
        return text
    }

    /// A URL with nothing after the origin: replies keep the platform's own paths.
    private static func origin(_ fields: [String: JSONValue], _ name: String) throws(CoreError) -> String? {
        guard let text = try url(fields, name) else { return nil }
        guard let url = try? KeySetURL(text), url.target == "/", !text.hasSuffix("?") else {
            throw invalid("settings.\(name)", "settings.\(name) must be an origin such as https://api.example.com, without a path.")
        }
        return text
    }

    private static func strings(_ fields: [String: JSONValue], _ name: String) throws(CoreError) -> [String] {
        guard let value = fields[name], value != .null else { return [] }
        guard case .array(let items) = value, items.count <= 20 else {
            throw invalid("settings.\(name)", "settings.\(name) must be an array of at most 20 strings.")
        }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item, !text.isEmpty, text.utf8.count <= 200 else {
                throw invalid("settings.\(name)[\(index)]", "settings.\(name)[\(index)] must be a non-empty string.")
            }
            out.append(text)
        }
        return out
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
