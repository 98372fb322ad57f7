@testable import Channels
import Core
import Foundation
import HTTP
import Testing

@Suite struct LinearSignatureVerifierTests {
    static let secret = "lin_wh_4bd6c1f0e2a94e0f8e0c"
    static let now = Date(unix: 1_700_000_000)

    let verifier = LinearSignatureVerifier(secret: try! WebhookSecret(secret))

    static func body(timestampMilliseconds: Double) -> String {
        #"{"action":"create","type":"Comment","data":{"body":"hi"},"webhookTimestamp":\#(Int64(timestampMilliseconds))}"#
    }

    /// Signed the way Linear signs: hex HMAC-SHA256 of the raw body, no prefix.
    func delivery(_ body: String, signature: String? = nil, header: Bool = true) -> InboundDelivery {
        let bytes = Array(body.utf8)
        let signature = signature ?? Crypto.hex(HMACSHA256.authenticationCode(key: try! WebhookSecret(Self.secret), message: bytes))
        return InboundDelivery(headers: header ? ["Linear-Signature": signature] : [:], body: bytes)
    }

    @Test func aFreshSignedDeliveryPasses() async {
        let body = Self.body(timestampMilliseconds: Self.now.timeIntervalSince1970 * 1000 - 1500)
        await expectAccepted(verifier, delivery(body), now: Self.now)
    }

    @Test func theWindowIsSixtySecondsEitherWay() async {
        let ms = Self.now.timeIntervalSince1970 * 1000
        await expectAccepted(verifier, delivery(Self.body(timestampMilliseconds: ms - 60_000)), now: Self.now)
        await expectAccepted(verifier, delivery(Self.body(timestampMilliseconds: ms + 60_000)), now: Self.now)
        await expectRefused(verifier, delivery(Self.body(timestampMilliseconds: ms - 61_000)), now: Self.now,
                            code: "timestamp_stale", status: 401)
        await expectRefused(verifier, delivery(Self.body(timestampMilliseconds: ms + 61_000)), now: Self.now,
                            code: "timestamp_stale", status: 401)
    }

    @Test func aWrongSignatureIsRefusedBeforeTheBodyIsRead() async {
        // Not JSON at all, but the signature fails first: unauthenticated bytes are never parsed.
        let garbage = delivery("not json", signature: String(repeating: "ab", count: 32))
        await expectRefused(verifier, garbage, now: Self.now, code: "signature_invalid", status: 401, notMentioning: Self.secret)
        var tampered = delivery(Self.body(timestampMilliseconds: Self.now.timeIntervalSince1970 * 1000))
        tampered.body[tampered.body.count - 3] ^= 1
        await expectRefused(verifier, tampered, now: Self.now, code: "signature_invalid", status: 401)
    }

    @Test func aMissingOrMalformedSignatureHeader() async {
        let body = Self.body(timestampMilliseconds: Self.now.timeIntervalSince1970 * 1000)
        await expectRefused(verifier, delivery(body, header: false), now: Self.now, code: "header_missing", status: 401)
        for bad in ["sha256=" + String(repeating: "ab", count: 32), String(repeating: "zz", count: 32), "abc"] {
            await expectRefused(verifier, delivery(body, signature: bad), now: Self.now, code: "header_malformed", status: 400)
        }
    }

    @Test func aSignedBodyWithoutAUsableTimestampIsMalformed() async {
        for body in ["not json", "[]", #"{"action":"create"}"#, #"{"webhookTimestamp":"1700000000000"}"#,
                     #"{"webhookTimestamp":true}"#] {
            await expectRefused(verifier, delivery(body), now: Self.now, code: "payload_malformed", status: 400)
        }
    }
}
