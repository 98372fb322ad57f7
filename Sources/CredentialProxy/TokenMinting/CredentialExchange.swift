import Core
import Foundation

/// How a credential's secret becomes the value sent: not as is, but exchanged for a
/// short-lived access token that `{secret}` in the injection template then stands for.
/// Teams' Bot Framework and Google Chat have no fixed bot token, only these exchanges.
public enum CredentialExchange: Sendable, Equatable {
    /// OAuth 2.0 client credentials: the secret is the client secret.
    case oauthClientCredentials(tokenURL: String, clientID: String, scope: String?)
    /// The secret is a Google service account's JSON key; a JWT it signs is exchanged at the
    /// key's `token_uri`.
    case googleServiceAccount(scope: String)

    public static let oauthClientCredentialsKind = CredentialExchangeKind.oauthClientCredentials.rawValue
    public static let googleServiceAccountKind = CredentialExchangeKind.googleServiceAccount.rawValue

    public var kind: String {
        switch self {
        case .oauthClientCredentials: return Self.oauthClientCredentialsKind
        case .googleServiceAccount: return Self.googleServiceAccountKind
        }
    }

    /// The settings as the API shows and the store keeps them (nothing secret is in them).
    public var settings: [String: String] {
        switch self {
        case .oauthClientCredentials(let tokenURL, let clientID, let scope):
            var out = ["token_url": tokenURL, "client_id": clientID]
            if let scope { out["scope"] = scope }
            return out
        case .googleServiceAccount(let scope): return ["scope": scope]
        }
    }

    /// From the API's `exchange` and `exchange_settings`; `CoreError.invalid` names the field.
    public init(kind: String, settings: [String: String]) throws(CoreError) {
        func required(_ key: String) throws(CoreError) -> String {
            guard let value = settings[key], !value.isEmpty, !CredentialValidation.hasControlCharacters(value) else {
                throw CredentialValidation.invalid("exchange_settings.\(key)", "exchange_settings.\(key) is required for \(kind).")
            }
            return value
        }
        let scope = settings["scope"]
        if let scope, scope.isEmpty || CredentialValidation.hasControlCharacters(scope) {
            throw CredentialValidation.invalid("exchange_settings.scope", "exchange_settings.scope must be non-empty text.")
        }
        switch kind {
        case Self.oauthClientCredentialsKind:
            let tokenURL = try required("token_url")
            do { _ = try OutboundTarget(tokenURL) } catch {
                throw CredentialValidation.invalid("exchange_settings.token_url", "exchange_settings.token_url: \(error)")
            }
            self = .oauthClientCredentials(tokenURL: tokenURL, clientID: try required("client_id"), scope: scope)
        case Self.googleServiceAccountKind:
            self = .googleServiceAccount(scope: try required("scope"))
        default:
            throw CredentialValidation.invalid("exchange", "exchange must be oauth_client_credentials or google_service_account.")
        }
    }

    /// The secret must be usable by this exchange; a service account key is JSON and may span lines.
    func validate(secret: Secret) throws(CoreError) {
        switch self {
        case .oauthClientCredentials: try CredentialValidation.secret(secret)
        case .googleServiceAccount:
            do { _ = try ServiceAccountKey(secret) } catch {
                throw CredentialValidation.invalid("secret", "The secret must be a service account's JSON key: \(error)")
            }
        }
    }

    /// Between the store's two columns and this.
    static func decode(kind: String?, settings: String?) -> CredentialExchange? {
        guard let kind else { return nil }
        let values = settings.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        // Rows are validated when written; one that no longer reads still must not send its
        // secret as is, so it becomes an exchange that fails at its token URL.
        return (try? CredentialExchange(kind: kind, settings: values))
            ?? .oauthClientCredentials(tokenURL: "unreadable-exchange-settings:", clientID: "", scope: nil)
    }

    /// The settings as a JSON object with sorted keys.
    public var settingsJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(settings)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
