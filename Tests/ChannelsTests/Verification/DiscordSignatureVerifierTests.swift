@testable import Channels
import ChannelTestSupport
import Foundation
import HTTP
import Testing

/// Signed with an Ed25519 key pair OpenSSL makes here, as Discord signs interactions.
@Suite struct DiscordSignatureVerifierTests {
    static let key = TestEd25519Key()
    static let timestamp = "1700000000"
    static let now = Date(unix: 1_700_000_000)
    static let body = #"{"type":1,"id":"123","application_id":"456"}"#

    let verifier = try! DiscordSignatureVerifier(publicKeyHex: key.publicKeyHex)

    func delivery(timestamp: String? = timestamp, body: String = body, signature: String? = nil,
                  signedBody: String? = nil) -> InboundDelivery {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let timestamp {
            headers.add("X-Signature-Timestamp", timestamp)
            let message = Array((timestamp + (signedBody ?? body)).utf8)
            headers.add("X-Signature-Ed25519", signature ?? Self.key.signatureHex(message))
        } else if let signature {
            headers.add("X-Signature-Ed25519", signature)
        }
        return InboundDelivery(headers: headers, body: Array(body.utf8))
    }

    @Test func aSignedPingVerifies() async {
        await expectAccepted(verifier, delivery(), now: Self.now.addingTimeInterval(2))
    }

    @Test func anotherKeyATamperedBodyOrAMovedTimestampIsRefused() async {
        let stranger = try! DiscordSignatureVerifier(publicKeyHex: TestEd25519Key().publicKeyHex)
        await expectRefused(stranger, delivery(), now: Self.now, code: "signature_invalid", status: 401)
        await expectRefused(verifier, delivery(signedBody: #"{"type":2}"#), now: Self.now, code: "signature_invalid", status: 401)
        var moved = delivery()
        moved.headers.set("X-Signature-Timestamp", "1700000001")
        await expectRefused(verifier, moved, now: Self.now, code: "signature_invalid", status: 401)
    }

    @Test func theWindowIsThreeHundredSecondsEitherWay() async {
        await expectAccepted(verifier, delivery(), now: Self.now.addingTimeInterval(300))
        await expectRefused(verifier, delivery(), now: Self.now.addingTimeInterval(301), code: "timestamp_stale", status: 401)
        await expectRefused(verifier, delivery(), now: Self.now.addingTimeInterval(-301), code: "timestamp_stale", status: 401)
    }

    @Test func missingHeadersAreUnauthenticated() async {
        await expectRefused(verifier, delivery(timestamp: nil), now: Self.now, code: "header_missing", status: 401)
        var unsigned = delivery()
        unsigned.headers.remove("X-Signature-Ed25519")
        await expectRefused(verifier, unsigned, now: Self.now, code: "header_missing", status: 401)
    }

    @Test func malformedHeadersAreBadRequests() async {
        let good = delivery().headers["X-Signature-Ed25519"]!
        for bad in [String(good.dropLast(2)), String(good.dropLast()) + "x", "", "ed25519=" + good] {
            await expectRefused(verifier, delivery(signature: bad), now: Self.now, code: "header_malformed", status: 400)
        }
        var wordy = delivery()
        wordy.headers.set("X-Signature-Timestamp", "yesterday")
        await expectRefused(verifier, wordy, now: Self.now, code: "header_malformed", status: 400)
    }

    @Test func aBadPublicKeyIsRefusedAtConfiguration() {
        #expect(throws: VerifierConfigurationError.self) { try DiscordSignatureVerifier(publicKeyHex: "abcd") }
        #expect(throws: VerifierConfigurationError.self) { try DiscordSignatureVerifier(publicKeyHex: String(repeating: "g", count: 64)) }
    }
}
