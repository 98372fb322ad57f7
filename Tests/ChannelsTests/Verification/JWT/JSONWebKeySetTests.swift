@testable import Channels
import ChannelTestSupport
import Foundation
import Testing

@Suite struct JSONWebKeySetTests {
    @Test func usableRSAKeysAreKeptByKid() {
        let document = TestJWT.jwks([
            TestRSAKey.first.jwk(kid: "a", endorsements: ["msteams", "skype"]),
            TestRSAKey.second.jwk(kid: "b"),
        ])
        let set = JSONWebKeySet(parsing: document)
        #expect(set?.keys.keys.sorted() == ["a", "b"])
        #expect(set?.keys["a"]?.endorsements == ["msteams", "skype"])
        #expect(set?.keys["b"]?.endorsements == nil)
    }

    @Test func keysItCannotUseAreLeftOutNotFatal() {
        var encryption = TestRSAKey.first.jwk(kid: "enc")
        encryption["use"] = "enc"
        var otherAlgorithm = TestRSAKey.first.jwk(kid: "ps")
        otherAlgorithm["alg"] = "PS256"
        var noKid = TestRSAKey.first.jwk(kid: "x")
        noKid["kid"] = nil
        var badModulus = TestRSAKey.first.jwk(kid: "bad")
        badModulus["n"] = "not+base64url"
        let short = TestRSAKey(bits: 1024).jwk(kid: "short")
        let ec: [String: Any] = ["kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"]
        let document = TestJWT.jwks([encryption, otherAlgorithm, noKid, badModulus, short, ec,
                                     TestRSAKey.first.jwk(kid: "good")])
        #expect(JSONWebKeySet(parsing: document)?.keys.keys.sorted() == ["good"])
    }

    @Test func aDocumentThatIsNotAKeySetIsRefused() {
        #expect(JSONWebKeySet(parsing: Array("not json".utf8)) == nil)
        #expect(JSONWebKeySet(parsing: Array(#"{"jwks_uri":"https://example.com"}"#.utf8)) == nil)
    }

    @Test func aJWKVerifiesWhatItsPrivateHalfSigned() throws {
        let key = try #require(JSONWebKeySet(parsing: TestJWT.jwks([TestRSAKey.first.jwk(kid: "a")]))?.keys["a"])
        let message = Array("header.payload".utf8)
        #expect(key.publicKey.isValidRS256Signature(TestRSAKey.first.signRS256(message), for: message))
        #expect(!key.publicKey.isValidRS256Signature(TestRSAKey.second.signRS256(message), for: message))
        #expect(!key.publicKey.isValidRS256Signature(TestRSAKey.first.signRS256(message), for: Array("header.payloae".utf8)))
    }
}
