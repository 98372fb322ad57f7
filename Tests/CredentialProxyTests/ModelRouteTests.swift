import Core
@testable import CredentialProxy
import Foundation
import HTTP
import Testing

@Suite("Model route over a session's proxy socket")
struct ModelRouteTests {
    static let realKey = ProxyHarness.realKey

    @Test func theUpstreamSeesTheRealKeyAndNeverThePlaceholder() async throws {
        try await ProxyHarness.with { h in
            let (head, body) = try await h.sendAndCollect("/model/anthropic/v1/echo?beta=true", headers: [
                "x-api-key": "warden-placeholder", "Authorization": "Bearer warden-placeholder",
                "Proxy-Authorization": "Basic c2VjcmV0", "Keep-Alive": "timeout=5", "TE": "trailers",
                "anthropic-version": "2023-06-01",
            ])
            #expect(head.status == .ok)
            let request = try #require(h.seen.value.first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/echo")
            #expect(request.query == "beta=true")
            #expect(request.bodyString == #"{"model":"m","stream":true}"#)
            #expect(request.headers.values("x-api-key") == [Self.realKey])
            #expect(request.headers["Authorization"] == nil, "whatever the agent sent as a key is dropped")
            #expect(request.headers["Host"] == "127.0.0.1:\(h.upstreamPort)")
            #expect(request.headers["anthropic-version"] == "2023-06-01")
            #expect(request.headers["Accept-Encoding"] == "identity")
            for name in ["Proxy-Authorization", "Keep-Alive", "TE"] {
                #expect(request.headers[name] == nil, "\(name) is hop-by-hop")
            }
            #expect(!request.headers.contains { $0.value.contains("warden-placeholder") })

            // The upstream quoted the key back; the agent sees it scrubbed.
            #expect(body == #"{"you_sent":"[REDACTED]"}"#)
            #expect(head.headers["X-Echo"] == "[REDACTED]")
            #expect(!body.contains(Self.realKey))
        }
    }

    @Test func openAIGetsABearerKeyUnderTheBaseURLsPathPrefix() async throws {
        try await ProxyHarness.with { h in
            let (head, body) = try await h.sendAndCollect("/model/openai/chat/completions",
                                                          headers: ["Authorization": "Bearer warden-placeholder"])
            #expect(head.status == .ok)
            let request = try #require(h.seen.value.first)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.headers.values("Authorization") == ["Bearer \(Self.realKey)"])
            #expect(request.headers["x-api-key"] == nil)
            #expect(body == #"{"you_sent":"Bearer [REDACTED]"}"#)
        }
    }

    @Test func anSSEResponseIsRelayedAsItArrives() async throws {
        try await ProxyHarness.with { h in
            let (head, body) = try await h.send("/model/anthropic/v1/messages")
            #expect(head.status == .ok)
            #expect(head.headers["Content-Type"] == "text/event-stream")
            #expect(head.headers["X-Upstream"] == "yes")
            #expect(head.headers["Keep-Alive"] == nil, "hop-by-hop response headers are not relayed")
            #expect(head.headers["Upgrade"] == nil)

            // The upstream is parked after its first event until we open the gate, so the first
            // event can only reach us if the proxy relayed it before the upstream finished.
            var received: [UInt8] = []
            try await bounded {
                var collected: [UInt8] = []
                while !String(decoding: collected, as: UTF8.self).contains(ScriptedUpstream.firstEvent) {
                    guard let chunk = try await body.next() else { break }
                    collected += chunk
                }
                return collected
            }.forEach { received.append($0) }
            #expect(String(decoding: received, as: UTF8.self) == ScriptedUpstream.firstEvent)

            h.gate.open()
            received += try await bounded { try await body.collect() }
            #expect(String(decoding: received, as: UTF8.self) == ScriptedUpstream.firstEvent + ScriptedUpstream.laterEvents)
        }
    }

    @Test func aKeySplitAcrossChunksIsStillScrubbed() async throws {
        try await ProxyHarness.with { h in
            let (_, body) = try await h.send("/model/anthropic/v1/split")
            // The first chunk ends in the key's first bytes: the proxy passes what precedes them
            // and holds the rest until the next chunk shows whether it is the key.
            let first = try await bounded { try await body.next() }
            #expect(first.map { String(decoding: $0, as: UTF8.self) } == "before ")
            h.gate.open()
            let rest = String(decoding: try await bounded { try await body.collect() }, as: UTF8.self)
            #expect(rest == "[REDACTED] after")
        }
    }

    @Test func everyRequestIsAuditedWithoutQueryOrSecret() async throws {
        try await ProxyHarness.with { h in
            h.gate.open()
            let (head, _) = try await h.sendAndCollect("/model/anthropic/v1/messages?beta=tools")
            #expect(head.status == .ok)
            let (missing, _) = try await h.sendAndCollect("/model/mistral/v1/chat")
            #expect(missing.status == .notFound)

            let audit = try await h.proxyAudit()
            #expect(audit.count == 2)
            let relayed = try #require(audit.first)
            #expect(relayed["method"] == .string("POST"))
            #expect(relayed["host"] == .string("127.0.0.1:\(h.upstreamPort)"))
            #expect(relayed["path"] == .string("/v1/messages"))
            #expect(relayed["status"] == .integer(200))
            #expect(relayed["credential"] == .string("model:anthropic"))
            #expect(relayed["bytes"] == .integer(Int64((ScriptedUpstream.firstEvent + ScriptedUpstream.laterEvents).utf8.count)))
            #expect(audit.last?["status"] == .integer(404))
            #expect(audit.last?["credential"] == .null)

            let everything = try await h.vault.core.read { db in
                try db.query("SELECT detail FROM audit").map { try $0.get("detail", as: String.self) }
            }.joined()
            #expect(!everything.contains(Self.realKey))
            #expect(!everything.contains("beta=tools"))
        }
    }

    @Test func withoutAKeyTheAgentIsToldHowToConfigureOne() async throws {
        try await ProxyHarness.with(storeKeys: false) { h in
            let (head, body) = try await h.sendAndCollect("/model/anthropic/v1/messages")
            #expect(head.status == .serviceUnavailable)
            #expect(head.headers["Content-Type"] == "application/json")
            let error = try #require(ErrorBody(body))
            #expect(error.code == "model_key_missing")
            #expect(error.message.contains("ANTHROPIC_API_KEY"))
            #expect(h.seen.value.isEmpty, "nothing went upstream")
            let audit = try await h.proxyAudit()
            #expect(audit.first?["status"] == .integer(503))
            #expect(audit.first?["error"] == .string("model_key_missing"))
        }
    }

    @Test func anUnreachableUpstreamIsABadGateway() async throws {
        try await ProxyHarness.with(upstreamDown: true) { h in
            let (head, body) = try await h.sendAndCollect("/model/anthropic/v1/messages")
            #expect(head.status == .badGateway)
            let error = try #require(ErrorBody(body))
            #expect(error.code == "upstream_unreachable")
            #expect(error.message.contains("Could not reach the anthropic API at http://127.0.0.1:"))
            #expect(!body.contains(Self.realKey))
            #expect(try await h.proxyAudit().first?["status"] == .integer(502))
        }
    }

    @Test func unknownPathsMethodsAndDotSegmentsAreRefused() async throws {
        try await ProxyHarness.with { h in
            #expect(try await h.sendAndCollect("/v1/messages").0.status == .notFound)
            #expect(try await h.sendAndCollect("/model/anthropic/").0.status == .notFound)
            let (get, _) = try await h.sendAndCollect("/model/anthropic/v1/models", method: "GET")
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers["Allow"] == "POST")
            let (dots, body) = try await h.sendAndCollect("/model/anthropic/v1/../../admin")
            #expect(dots.status == .badRequest)
            #expect(ErrorBody(body)?.code == "invalid_path")
            #expect(try await h.sendAndCollect("/model/anthropic/v1%2F..%2Fadmin").0.status == .badRequest)
            #expect(h.seen.value.isEmpty)
        }
    }

    @Test func aBodylessUpstreamAnswerIsRelayedAndAudited() async throws {
        try await ProxyHarness.with { h in
            let (head, body) = try await h.sendAndCollect("/model/anthropic/v1/empty")
            #expect(head.status == .noContent)
            #expect(body.isEmpty)
            #expect(try await h.proxyAudit().first?["status"] == .integer(204))
        }
    }
}

/// The `error` object of the JSON error envelope.
struct ErrorBody {
    let code: String
    let message: String

    init?(_ text: String) {
        guard case .object(let envelope) = JSONValue.decode(text), case .object(let error)? = envelope["error"],
              case .string(let code)? = error["code"], case .string(let message)? = error["message"] else { return nil }
        self.code = code
        self.message = message
    }
}
