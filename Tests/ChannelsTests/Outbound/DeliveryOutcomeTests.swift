import Channels
import Foundation
import Testing

@Suite struct DeliveryOutcomeTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func classify(_ platform: ChannelPlatform, _ status: Int, _ body: String) -> DeliveryOutcome {
        DeliveryOutcome.classify(platform: platform, status: status, headers: [:], body: Array(body.utf8), now: now)
    }

    @Test func deliveredMessagesNameThePlatformsID() {
        #expect(classify(.slack, 200, #"{"ok":true,"channel":"C123","ts":"1503435956.000247","message":{"text":"hi"}}"#)
            == .delivered(messageID: "1503435956.000247"))
        #expect(classify(.telegram, 200, #"{"ok":true,"result":{"message_id":2251,"chat":{"id":-1001234567890}}}"#)
            == .delivered(messageID: "2251"))
        #expect(classify(.discord, 200, #"{"id":"1101","channel_id":"645027906669510667","content":"hi"}"#)
            == .delivered(messageID: "1101"))
        #expect(classify(.whatsapp, 200, #"{"messaging_product":"whatsapp","contacts":[{"input":"16505551234","wa_id":"16505551234"}],"messages":[{"id":"wamid.HBgLMTY1"}]}"#)
            == .delivered(messageID: "wamid.HBgLMTY1"))
        #expect(classify(.github, 201, #"{"id":1146826,"body":"Reproduced."}"#) == .delivered(messageID: "1146826"))
        #expect(classify(.linear, 200, #"{"data":{"commentCreate":{"success":true,"comment":{"id":"c-1"}}}}"#)
            == .delivered(messageID: "c-1"))
        #expect(classify(.teams, 201, #"{"id":"1592945163600"}"#) == .delivered(messageID: "1592945163600"))
        #expect(classify(.googleChat, 200, #"{"name":"spaces/AAA/messages/HHH.HHH"}"#) == .delivered(messageID: "spaces/AAA/messages/HHH.HHH"))
    }

    @Test func failuresInsideA200AreFailures() {
        #expect(classify(.slack, 200, #"{"ok":false,"error":"channel_not_found"}"#) == .failed(reason: "channel_not_found", retryable: false))
        #expect(classify(.slack, 200, #"{"ok":false,"error":"internal_error"}"#) == .failed(reason: "internal_error", retryable: true))
        #expect(classify(.linear, 200, #"{"errors":[{"message":"Entity not found","extensions":{"code":"INVALID_INPUT"}}]}"#)
            == .failed(reason: "Entity not found", retryable: false))
        #expect(classify(.telegram, 200, #"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#)
            == .failed(reason: "Bad Request: chat not found", retryable: false))
    }

    @Test func serverErrorsAreRetryableClientErrorsAreNot() {
        #expect(classify(.discord, 502, "<html>bad gateway</html>") == .failed(reason: "HTTP 502", retryable: true))
        #expect(classify(.discord, 403, #"{"message":"Missing Access","code":50001}"#) == .failed(reason: "Missing Access", retryable: false))
        #expect(classify(.teams, 408, "") == .failed(reason: "HTTP 408", retryable: true))
        #expect(classify(.linear, 400, #"{"errors":[{"message":"ratelimited","extensions":{"code":"RATELIMITED"}}]}"#)
            == .rateLimited(retryAfter: nil))
    }
}
