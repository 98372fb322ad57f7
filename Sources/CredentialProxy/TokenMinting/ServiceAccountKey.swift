import Foundation

/// The fields of a Google service account's JSON key that minting needs. The private key stays
/// inside a `Secret` until it is parsed to sign.
struct ServiceAccountKey: Sendable {
    let clientEmail: String
    let privateKeyPEM: Secret
    let tokenURI: String

    enum Invalid: Error, CustomStringConvertible {
        case notJSON, missing(String), unusable(String)
        var description: String {
            switch self {
            case .notJSON: return "it is not a JSON object"
            case .missing(let field): return "it has no \(field)"
            case .unusable(let reason): return reason
            }
        }
    }

    init(_ secret: Secret) throws(Invalid) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(secret.bytes)) as? [String: Any] else { throw .notJSON }
        func field(_ name: String) throws(Invalid) -> String {
            guard let value = object[name] as? String, !value.isEmpty else { throw .missing(name) }
            return value
        }
        clientEmail = try field("client_email")
        privateKeyPEM = Secret(try field("private_key"))
        tokenURI = try field("token_uri")
        do { _ = try OutboundTarget(tokenURI) } catch { throw .unusable("token_uri: \(error)") }
        do {
            guard try RS256Signer(pem: privateKeyPEM) != nil else { throw Invalid.unusable("private_key is not an RSA PEM key") }
        } catch let error as Invalid { throw error } catch { throw .unusable("private_key: \(error)") }
    }
}
