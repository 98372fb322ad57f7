@testable import Channels
import Foundation
import HTTP
import Testing

@Suite struct TelegramSecretTokenVerifierTests {
    static let token = "Wf3_k9-QzX2pLr7T"
    static let now = Date(unix: 1_700_000_000)

    let verifier = TelegramSecretTokenVerifier(secretToken: try! WebhookSecret(token))

    func delivery(token: String?) -> InboundDelivery {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let token { headers.add("X-Telegram-Bot-Api-Secret-Token", token) }
        return InboundDelivery(headers: headers, body: Array(#"{"update_id":1}"#.utf8))
    }

    @Test func theConfiguredTokenPasses() async {
        await expectAccepted(verifier, delivery(token: Self.token), now: Self.now)
    }

    @Test func anyOtherTokenIsRefusedWithoutEchoingTheSecret() async {
        for wrong in ["Wf3_k9-QzX2pLr7t", "Wf3_k9-QzX2pLr7", "Wf3_k9-QzX2pLr7TT", "", " \(Self.token)"] {
            await expectRefused(verifier, delivery(token: wrong), now: Self.now, code: "signature_invalid", status: 401,
                                notMentioning: Self.token)
        }
    }

    @Test func aMissingTokenIsUnauthenticated() async {
        await expectRefused(verifier, delivery(token: nil), now: Self.now, code: "header_missing", status: 401)
    }
}
