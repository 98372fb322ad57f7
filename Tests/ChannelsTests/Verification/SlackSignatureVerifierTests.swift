@testable import Channels
import Foundation
import HTTP
import Testing

/// Slack's own worked example from "Verifying requests from Slack".
@Suite struct SlackSignatureVerifierTests {
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"
    static let timestamp = "1531420618"
    static let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    static let signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    static let signedAt = Date(unix: 1_531_420_618)

    let verifier = SlackSignatureVerifier(signingSecret: try! WebhookSecret(secret))

    func delivery(signature: String? = signature, timestamp: String? = timestamp, body: String = body) -> InboundDelivery {
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
        if let signature { headers.add("X-Slack-Signature", signature) }
        if let timestamp { headers.add("X-Slack-Request-Timestamp", timestamp) }
        return InboundDelivery(headers: headers, body: Array(body.utf8))
    }

    @Test func slacksDocumentedExampleVerifies() async {
        await expectAccepted(verifier, delivery(), now: Self.signedAt.addingTimeInterval(30))
    }

    @Test func headerNamesAreMatchedWithoutRegardToCase() async {
        let lower = InboundDelivery(headers: ["x-slack-signature": Self.signature, "x-slack-request-timestamp": Self.timestamp],
                                    body: Array(Self.body.utf8))
        await expectAccepted(verifier, lower, now: Self.signedAt)
    }

    @Test func theWindowIsThreeHundredSecondsEitherWay() async {
        await expectAccepted(verifier, delivery(), now: Self.signedAt.addingTimeInterval(300))
        await expectAccepted(verifier, delivery(), now: Self.signedAt.addingTimeInterval(-300))
        await expectRefused(verifier, delivery(), now: Self.signedAt.addingTimeInterval(301), code: "timestamp_stale", status: 401)
        await expectRefused(verifier, delivery(), now: Self.signedAt.addingTimeInterval(-301), code: "timestamp_stale", status: 401)
    }

    @Test func aStaleTimestampMessageNamesTheHeaderAndTheWindow() async {
        let failure = await refusal { () throws(VerificationFailure) in
            try verifier.verify(delivery(), now: Self.signedAt.addingTimeInterval(3600))
        }
        #expect(failure?.message.contains("X-Slack-Request-Timestamp") == true)
        #expect(failure?.message.contains("300 s") == true)
    }

    @Test func aWrongSignatureATamperedBodyOrAnotherSecretAreRefused() async {
        let now = Self.signedAt
        let flipped = String(Self.signature.dropLast()) + "4"
        await expectRefused(verifier, delivery(signature: flipped), now: now, code: "signature_invalid", status: 401)
        await expectRefused(verifier, delivery(body: Self.body + "&admin=true"), now: now, code: "signature_invalid", status: 401)
        let other = SlackSignatureVerifier(signingSecret: try! WebhookSecret("another-secret"))
        await expectRefused(other, delivery(), now: now, code: "signature_invalid", status: 401, notMentioning: "another-secret")
        await expectRefused(verifier, delivery(signature: flipped), now: now, code: "signature_invalid", status: 401,
                            notMentioning: Self.secret)
    }

    @Test func aChangedTimestampBreaksTheSignature() async {
        // The timestamp is signed: moving it into the window does not help a replay.
        await expectRefused(verifier, delivery(timestamp: "1531420619"), now: Self.signedAt, code: "signature_invalid", status: 401)
    }

    @Test func missingHeadersAreUnauthenticated() async {
        let now = Self.signedAt
        await expectRefused(verifier, delivery(signature: nil), now: now, code: "header_missing", status: 401)
        await expectRefused(verifier, delivery(timestamp: nil), now: now, code: "header_missing", status: 401)
        let failure = await refusal { () throws(VerificationFailure) in try verifier.verify(delivery(signature: nil), now: now) }
        #expect(failure?.param == "X-Slack-Signature")
    }

    @Test func malformedHeadersAreBadRequests() async {
        let now = Self.signedAt
        let digits = Self.signature.dropFirst(3)
        for bad in ["v1=\(digits)", String(digits), "v0=\(digits.dropLast())", "v0=\(digits.dropLast())z", "v0="] {
            await expectRefused(verifier, delivery(signature: bad), now: now, code: "header_malformed", status: 400)
        }
        for bad in ["", "soon", "1531420618.5", "-1531420618", "+1531420618", "99999999999999999999"] {
            await expectRefused(verifier, delivery(timestamp: bad), now: now, code: "header_malformed", status: 400)
        }
    }

    @Test func anUppercaseHexSignatureIsTheSameSignature() async {
        await expectAccepted(verifier, delivery(signature: "v0=" + Self.signature.dropFirst(3).uppercased()), now: Self.signedAt)
    }
}
