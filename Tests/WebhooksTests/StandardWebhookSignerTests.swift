import Core
import Foundation
import Testing
@testable import Webhooks

@Suite struct StandardWebhookSignerTests {
    /// The reference vector of the Standard Webhooks specification and its libraries: reproducing
    /// it is what says a receiver's library will accept warden's signatures.
    @Test func reproducesTheSpecificationsTestVector() throws {
        let secret = try #require(WebhookSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signer = StandardWebhookSigner(secret: secret)
        let signature = signer.signature(messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                         body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        // The libraries accept the secret without its prefix too.
        #expect(WebhookSigningSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == secret)
    }

    @Test func headersCarryTheIdTheTimestampAndTheSignature() throws {
        let secret = try #require(WebhookSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let headers = StandardWebhookSigner(secret: secret).headers(messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                                                    timestamp: 1_614_265_330, body: body)
        #expect(headers.map(\.name) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers.map(\.value) == ["msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                         "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="])
    }

    @Test func generatedSecretsRoundTripThroughTheirText() throws {
        let secret = WebhookSigningSecret.generate()
        #expect(secret.bytes.count == 32)
        let text = secret.revealText()
        #expect(text.hasPrefix("whsec_"))
        #expect(WebhookSigningSecret(text) == secret)
        #expect(WebhookSigningSecret.generate() != secret)
        #expect("\(secret)" == "<redacted>" && String(reflecting: secret) == "WebhookSigningSecret(<redacted>)")
        #expect(WebhookSigningSecret("whsec_not base64!") == nil)
        #expect(WebhookSigningSecret("whsec_") == nil)
    }
}
