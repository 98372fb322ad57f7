@testable import Channels
import Foundation
import HTTP
import Testing
import TestSupport

/// Answers as a platform would, one scripted response per request, and records what it got.
final class ScriptedTransport: ChannelTransport, Sendable {
    let answers: Locked<[Result<ChannelResponse, ChannelTransportError>]>
    let sent = Locked<[(OutboundRequest, String?)]>([])

    init(_ answers: [Result<ChannelResponse, ChannelTransportError>]) { self.answers = Locked(answers) }

    func send(_ request: OutboundRequest, credentialID: String?, session: String?) async throws(ChannelTransportError) -> ChannelResponse {
        sent.update { $0.append((request, credentialID)) }
        let next = answers.update { $0.isEmpty ? .success(ChannelResponse(status: 200, body: Array(#"{"ok":true,"ts":"1.1"}"#.utf8))) : $0.removeFirst() }
        return try next.get()
    }
}

@Suite("Channels: delivering a reply")
struct ReplyAttemptTests {
    static let target = ReplyTarget(thread: ThreadRef(platform: .discord, conversationID: "C1"), anchorMessageID: nil)
    static let ok: Result<ChannelResponse, ChannelTransportError> = .success(ChannelResponse(status: 200, body: Array(#"{"id":"m"}"#.utf8)))

    static func attempt(_ text: String) -> ReplyAttempt {
        ReplyAttempt(platform: .discord, target: target, text: text, credentialID: "crd_bot", placeholder: "ph-bot",
                     apiOrigin: "http://127.0.0.1:9999", session: "ses_1")
    }

    @Test func aLongReplyGoesOutInPartsAndARateLimitResumesWhereItStopped() async {
        // Discord's limit is 2,000 characters: three parts.
        let text = String(repeating: "a", count: 1990) + "\n" + String(repeating: "b", count: 1990) + "\n" + String(repeating: "c", count: 1990)
        let limited = ChannelResponse(status: 429, headers: ["Retry-After": "7"], body: Array(#"{"retry_after": 7}"#.utf8))
        let transport = ScriptedTransport([Self.ok, .success(limited)])
        let first = await Self.attempt(text).run(from: 0, over: transport)
        #expect(first == .retry(partsSent: 1, after: .seconds(7), reason: "rate limited by Discord"))

        let second = await Self.attempt(text).run(from: 1, over: transport)
        guard case .delivered(let parts, _) = second else { Issue.record("not delivered: \(second)"); return }
        #expect(parts == 3)
        let bodies = transport.sent.value.map { String(decoding: $0.0.body, as: UTF8.self) }
        #expect(bodies.count == 4, "part 2 was sent twice (once limited), part 1 once")
        #expect(bodies[0].contains("aaa") && bodies[1].contains("bbb") && bodies[2].contains("bbb") && bodies[3].contains("ccc"))
        #expect(transport.sent.value.allSatisfy { $0.1 == "crd_bot" && $0.0.url.hasPrefix("http://127.0.0.1:9999/api/") })
        #expect(transport.sent.value.allSatisfy { $0.0.headers["Authorization"] == "Bot ph-bot" })
    }

    @Test func aRefusalIsFinalAndAnUnreachablePlatformIsRetried() async {
        let refused = ChannelResponse(status: 403, body: Array(#"{"message": "Missing Access"}"#.utf8))
        let final = await Self.attempt("hi").run(from: 0, over: ScriptedTransport([.success(refused)]))
        #expect(final == .failed(partsSent: 0, reason: "Missing Access"))
        let down = await Self.attempt("hi").run(from: 0, over: ScriptedTransport([.failure(ChannelTransportError("timed out", retryable: true))]))
        #expect(down == .retry(partsSent: 0, after: nil, reason: "timed out"))
        let wrongHost = await Self.attempt("hi").run(from: 0, over: ScriptedTransport([.failure(ChannelTransportError("not for host", retryable: false))]))
        #expect(wrongHost == .failed(partsSent: 0, reason: "not for host"))
    }

    @Test func rebasingKeepsPathAndQuery() {
        let request = OutboundRequest(method: "POST", url: "https://slack.com/api/chat.postMessage?x=1", credential: .none)
        #expect(ReplyAttempt.rebased(request, on: "http://127.0.0.1:8080/").url == "http://127.0.0.1:8080/api/chat.postMessage?x=1")
        #expect(ReplyAttempt.rebased(request, on: nil).url == request.url)
    }
}
