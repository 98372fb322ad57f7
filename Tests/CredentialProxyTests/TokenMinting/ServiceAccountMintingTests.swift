import COpenSSL
import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Testing

/// Google Chat: the service account's key signs an RS256 JWT that the token endpoint exchanges.
/// The test's endpoint checks the assertion as Google would, with the public key only.
@Suite("Minting Google service account tokens")
struct ServiceAccountMintingTests {
    typealias H = TokenMintingHarness
    static let scope = "https://www.googleapis.com/auth/chat.bot"

    static func makeRSAKey() throws -> PrivateKey {
        let context = try #require(EVP_PKEY_CTX_new_from_name(nil, "RSA", nil))
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        try #require(EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1)
        try #require(EVP_PKEY_generate(context, &key) == 1)
        return PrivateKey(owning: try #require(key))
    }

    /// Whether `signature` is `key`'s RS256 signature of `message`, checked with the public half alone.
    static func verify(_ message: [UInt8], signature: [UInt8], publicKeyOf key: PrivateKey) throws -> Bool {
        var der: UnsafeMutablePointer<UInt8>?
        let length = i2d_PUBKEY(key.evpPKey, &der)
        try #require(length > 0)
        defer { CRYPTO_free(der, #file, #line) }
        var cursor = UnsafePointer(der)
        let publicKey = try #require(d2i_PUBKEY(nil, &cursor, Int(length)))
        defer { EVP_PKEY_free(publicKey) }
        let context = try #require(EVP_MD_CTX_new())
        defer { EVP_MD_CTX_free(context) }
        try #require(EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, publicKey) == 1)
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }

    static func base64URLDecoded(_ text: Substring) -> [UInt8] {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Array(Data(base64Encoded: base64) ?? Data())
    }

    static func keyJSON(_ key: PrivateKey, tokenURI: String) throws -> String {
        let object: [String: String] = ["type": "service_account", "client_email": "bot@project.iam.gserviceaccount.com",
                                        "private_key": String(decoding: try key.pkcs8PEM(), as: UTF8.self),
                                        "private_key_id": "k1", "token_uri": tokenURI]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]), as: UTF8.self)
    }

    @Test func theAssertionIsASignedJWTWithTheClaimsGoogleExpects() async throws {
        try await H.with { h in
            let key = try Self.makeRSAKey()
            let json = try Self.keyJSON(key, tokenURI: h.tokenURL)
            let id = try await h.store(.googleServiceAccount(scope: Self.scope), secret: json, name: "google-chat")
            let reply = try await h.reply(id)
            #expect(reply.status == .ok)
            #expect(h.apiRequests.value.first?.headers["Authorization"] == "Bearer token-1")

            let form = formFields(try #require(h.tokenRequests.value.first).bodyString)
            #expect(form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
            let parts = try #require(form["assertion"]).split(separator: ".", omittingEmptySubsequences: false)
            try #require(parts.count == 3)
            let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
            #expect(try Self.verify(signingInput, signature: Self.base64URLDecoded(parts[2]), publicKeyOf: key))
            let header = try JSONSerialization.jsonObject(with: Data(Self.base64URLDecoded(parts[0]))) as? [String: Any]
            #expect(header?["alg"] as? String == "RS256" && header?["typ"] as? String == "JWT")
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(Self.base64URLDecoded(parts[1]))) as? [String: Any])
            #expect(claims["iss"] as? String == "bot@project.iam.gserviceaccount.com")
            #expect(claims["scope"] as? String == Self.scope)
            #expect(claims["aud"] as? String == h.tokenURL)
            let issuedAt = Int(H.start.timeIntervalSince1970)
            #expect(claims["iat"] as? Int == issuedAt && claims["exp"] as? Int == issuedAt + 3600)

            // Neither the key nor the token is kept anywhere readable.
            let stored = try await h.everythingStored()
            #expect(!stored.contains("token-1") && !stored.contains("PRIVATE KEY") && !stored.contains("bot@project"))
        }
    }

    @Test func aKeyThatIsNotAServiceAccountIsRefusedWhenStored() async throws {
        try await H.with { h in
            for secret in ["not json", #"{"client_email":"a@b","token_uri":"https://oauth2.googleapis.com/token"}"#,
                           #"{"client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n","token_uri":"https://oauth2.googleapis.com/token"}"#] {
                await #expect(throws: CoreError.self) {
                    _ = try await h.store(.googleServiceAccount(scope: Self.scope), secret: secret, name: "google-chat")
                }
            }
        }
    }
}
