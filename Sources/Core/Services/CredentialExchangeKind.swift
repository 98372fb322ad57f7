/// How a credential's secret is exchanged for a short-lived token, as stored in its `exchange`
/// column. The credential proxy does the exchange; channel setup needs the names to require
/// the right one of Teams' and Google Chat's bot credentials.
public enum CredentialExchangeKind: String, Sendable, CaseIterable {
    case oauthClientCredentials = "oauth_client_credentials"
    case googleServiceAccount = "google_service_account"
}
