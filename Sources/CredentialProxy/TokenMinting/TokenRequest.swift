import Foundation
import HTTP

/// The POST to a token endpoint that one exchange makes, and how its answer is read.
struct TokenRequest: Sendable {
    let target: OutboundTarget
    let request: ClientRequest
    /// Private addresses only when the credential names the token endpoint's host exactly,
    /// as for the API itself.
    let allowPrivate: Bool
    /// What the endpoint's reply is scrubbed of before anything may log it.
    let secrets: [Secret]

    /// Google service accounts sign a JWT valid this long; Google accepts at most an hour.
    static let assertionLifetime: TimeInterval = 3600

    init(for credential: UnsealedCredential, exchange: CredentialExchange, now: Date) throws(OutboundCallError) {
        let form: [(String, String)]
        let url: String
        switch exchange {
        case .oauthClientCredentials(let tokenURL, let clientID, let scope):
            url = tokenURL
            form = [("grant_type", "client_credentials"), ("client_id", clientID),
                    ("client_secret", credential.secret.revealText())] + (scope.map { [("scope", $0)] } ?? [])
        case .googleServiceAccount(let scope):
            let key: ServiceAccountKey
            do { key = try ServiceAccountKey(credential.secret) } catch {
                throw .tokenUnavailable(credential: credential.credential.name, reason: "the service account key: \(error)")
            }
            url = key.tokenURI
            let issuedAt = Int(now.timeIntervalSince1970)
            let claims: [String: Any] = ["iss": key.clientEmail, "scope": scope, "aud": key.tokenURI,
                                         "iat": issuedAt, "exp": issuedAt + Int(Self.assertionLifetime)]
            let assertion: String
            do {
                guard let signer = try RS256Signer(pem: key.privateKeyPEM) else { throw CertificateError.openSSL("read the RSA key") }
                assertion = try signer.token(claims: claims)
            } catch {
                throw .tokenUnavailable(credential: credential.credential.name, reason: "cannot sign the assertion: \(error)")
            }
            form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)]
        }
        target = try OutboundTarget(url)
        allowPrivate = credential.credential.hosts.contains(target.host.name)
        secrets = [credential.secret, Secret(Data(credential.secret.bytes).base64EncodedString())]
        let body = form.map { "\(Self.formEncoded($0.0))=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        request = ClientRequest(method: "POST", target: target.originForm,
                                headers: ["Host": target.authority, "Content-Type": "application/x-www-form-urlencoded",
                                          "Accept": "application/json", "Accept-Encoding": "identity"],
                                body: Array(body.utf8))
    }

    /// `application/x-www-form-urlencoded`: everything but the unreserved characters escaped.
    static func formEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || "-._~".utf8.contains(byte) {
                out.append(Character(UnicodeScalar(byte)))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// A token endpoint's successful answer.
struct MintedToken: Sendable {
    let token: Secret
    let expiresIn: TimeInterval

    /// `{"access_token", "expires_in"}` from a 200, or why not. The reason never quotes the body
    /// (it may hold a token); only the OAuth `error` code, which is one of a few fixed words.
    init(_ reply: OutboundReply, credential: String) throws(OutboundCallError) {
        let object = try? JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any]
        guard reply.status.code == 200 else {
            let code = (object?["error"] as? String).map { " (\($0.prefix(64)))" } ?? ""
            let reason = "the token endpoint answered \(reply.status.code)\(code)"
            // RFC 6749 §5.2: 400 and 401 say the client or grant is wrong; 403 likewise for
            // Google. Anything else (5xx, 429) may pass.
            if [400, 401, 403].contains(reply.status.code) { throw .tokenRefused(credential: credential, reason: reason) }
            throw .tokenUnavailable(credential: credential, reason: reason)
        }
        guard let token = object?["access_token"] as? String, !token.isEmpty,
              !CredentialValidation.hasControlCharacters(token) else {
            throw .tokenUnavailable(credential: credential, reason: "the token endpoint's answer has no usable access_token")
        }
        let expiresIn = (object?["expires_in"] as? NSNumber)?.doubleValue
            ?? (object?["expires_in"] as? String).flatMap(Double.init) ?? 3600
        self.token = Secret(token)
        self.expiresIn = expiresIn
    }
}
