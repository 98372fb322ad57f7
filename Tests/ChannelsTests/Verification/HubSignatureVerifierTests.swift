@testable import Channels
import Foundation
import HTTP
import Testing

/// GitHub's worked example from "Validating webhook deliveries"; WhatsApp Cloud signs the same way.
@Suite struct HubSignatureVerifierTests {
    static let secret = "It's a Secret to Everybody"
    static let body = "Hello, World!"
    static let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    static let now = Date(unix: 1_700_000_000)

    let verifier = HubSignatureVerifier(secret: try! WebhookSecret(secret))

    func delivery(signature: String? = signature, body: String = body) -> InboundDelivery {
        var headers: HTTPHeaders = ["X-GitHub-Event": "ping", "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"]
        if let signature { headers.add("X-Hub-Signature-256", signature) }
        return InboundDelivery(headers: headers, body: Array(body.utf8))
    }

    @Test func githubsDocumentedExampleVerifies() async {
        await expectAccepted(verifier, delivery(), now: Self.now)
    }

    @Test func aWrongSignatureOrATamperedBodyIsRefused() async {
        let flipped = "sha256=657107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        await expectRefused(verifier, delivery(signature: flipped), now: Self.now, code: "signature_invalid", status: 401,
                            notMentioning: Self.secret)
        await expectRefused(verifier, delivery(body: "Hello, World?"), now: Self.now, code: "signature_invalid", status: 401)
    }

    @Test func aMissingSignatureIsUnauthenticated() async {
        await expectRefused(verifier, delivery(signature: nil), now: Self.now, code: "header_missing", status: 401)
        // The SHA-1 header GitHub also sends is not accepted in its place.
        var legacy = delivery(signature: nil)
        legacy.headers.add("X-Hub-Signature", "sha1=2fd4e1c67a2d28fced849ee1bb76e7391b93eb12")
        await expectRefused(verifier, legacy, now: Self.now, code: "header_missing", status: 401)
    }

    @Test func malformedSignaturesAreBadRequests() async {
        let digits = Self.signature.dropFirst("sha256=".count)
        for bad in [String(digits), "sha1=\(digits)", "sha256=\(digits.dropLast(2))", "sha256=\(digits.dropLast())g", "sha256="] {
            await expectRefused(verifier, delivery(signature: bad), now: Self.now, code: "header_malformed", status: 400)
        }
    }

    @Test func anEmptySecretIsRefusedAtConfiguration() {
        #expect(throws: VerifierConfigurationError.emptySecret) { try WebhookSecret("") }
    }

    @Test func secretsDoNotPrint() throws {
        let secret = try WebhookSecret(Self.secret)
        #expect("\(secret)" == "<redacted>")
        #expect(!String(reflecting: secret).contains("Secret to"))
        #expect(!String(describing: verifier).contains("Secret to"))
        #expect(!String(reflecting: verifier).contains("Secret to"))
    }
}
