import Foundation
import HTTP
import ScriptedModel
import Testing
import TestSupport

/// The scripted model speaks both wire formats; read here independently of the agent's parser.
@Suite struct ScriptedModelTests {
    /// A client and the server, torn down together.
    static func with(_ script: ModelScript, _ body: (ScriptedModelServer, HTTPClient) async throws -> Void) async throws {
        let server = try ScriptedModelServer.start(script: script)
        do {
            try await TestClient.with { client in try await body(server, client) }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static let anthropicHeaders: HTTPHeaders = ["x-api-key": "k", "anthropic-version": "2023-06-01",
                                                "Content-Type": "application/json"]
    static let openAIHeaders: HTTPHeaders = ["Authorization": "Bearer k", "Content-Type": "application/json"]

    static func post(_ client: HTTPClient, _ server: ScriptedModelServer, _ path: String, headers: HTTPHeaders,
                     _ body: [String: Any]) async throws -> ClientResponse {
        let bytes = Array(try JSONSerialization.data(withJSONObject: body))
        return try await client.execute(ClientRequest(method: "POST", target: path, headers: headers, body: bytes), to: server.address)
    }

    /// `event:`/`data:` blocks separated by blank lines, data parsed as JSON (or kept as text).
    static func events(_ text: String) -> [(event: String?, data: Any)] {
        text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { block in
            var event: String?
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            let json = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) ?? data
            return (event, json)
        }
    }

    static let script = ModelScript([
        .toolCall("write_file", #"{"path":"a.txt","content":"hi"}"#, text: "Writing it."),
        .text("All done."),
    ], whenExhausted: .fail, chunkSize: 3)

    @Test func anthropicStream() async throws {
        try await Self.with(Self.script) { server, client in
            let body: [String: Any] = ["model": "claude-test", "max_tokens": 100, "stream": true,
                                       "messages": [["role": "user", "content": "hi"]]]
            let response = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders, body)
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "text/event-stream")
            let events = Self.events(response.bodyString)
            let types = events.map { ($0.data as? [String: Any])?["type"] as? String }
            #expect(events.allSatisfy { ($0.data as? [String: Any])?["type"] as? String == $0.event })
            #expect(types.first == "message_start")
            #expect(types.suffix(2) == ["message_delta", "message_stop"])
            var text = "", json = "", toolName: String?, stopReason: String?
            for (_, data) in events {
                let object = data as! [String: Any]
                if let block = object["content_block"] as? [String: Any], block["type"] as? String == "tool_use" {
                    toolName = block["name"] as? String
                    #expect((block["id"] as? String)?.hasPrefix("toolu_") == true)
                }
                if let delta = object["delta"] as? [String: Any] {
                    text += delta["text"] as? String ?? ""
                    json += delta["partial_json"] as? String ?? ""
                    stopReason = delta["stop_reason"] as? String ?? stopReason
                }
            }
            #expect(text == "Writing it.")
            #expect(types.filter { $0 == "content_block_delta" }.count > 3, "text and input arrive in pieces")
            #expect(toolName == "write_file")
            #expect((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]) == ["path": "a.txt", "content": "hi"])
            #expect(stopReason == "tool_use")
            let start = events.first!.data as! [String: Any]
            #expect(((start["message"] as? [String: Any])?["model"] as? String) == "claude-test")
        }
    }

    @Test func anthropicJSON() async throws {
        try await Self.with(Self.script) { server, client in
            let body: [String: Any] = ["model": "m", "max_tokens": 100, "messages": [["role": "user", "content": "hi"]]]
            let response = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders, body)
            let message = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            #expect(message["type"] as? String == "message")
            #expect(message["stop_reason"] as? String == "tool_use")
            let content = try #require(message["content"] as? [[String: Any]])
            #expect(content.map { $0["type"] as? String } == ["text", "tool_use"])
            #expect((content[1]["input"] as? [String: String]) == ["path": "a.txt", "content": "hi"])
            #expect(((message["usage"] as? [String: Any])?["output_tokens"] as? Int ?? 0) > 0)
        }
    }

    @Test func openAIStream() async throws {
        try await Self.with(Self.script) { server, client in
            let body: [String: Any] = ["model": "gpt-test", "stream": true, "stream_options": ["include_usage": true],
                                       "messages": [["role": "user", "content": "hi"]]]
            let response = try await Self.post(client, server, "/v1/chat/completions", headers: Self.openAIHeaders, body)
            let events = Self.events(response.bodyString)
            #expect(events.allSatisfy { $0.event == nil })
            #expect(events.last?.data as? String == "[DONE]")
            var text = "", arguments = "", name: String?, id: String?, finish: String?, usage: [String: Any]?
            for (_, data) in events.dropLast() {
                let chunk = data as! [String: Any]
                #expect(chunk["object"] as? String == "chat.completion.chunk")
                if let u = chunk["usage"] as? [String: Any] { usage = u }
                guard let choice = (chunk["choices"] as? [[String: Any]])?.first else { continue }
                finish = choice["finish_reason"] as? String ?? finish
                let delta = choice["delta"] as? [String: Any] ?? [:]
                text += delta["content"] as? String ?? ""
                for call in delta["tool_calls"] as? [[String: Any]] ?? [] {
                    #expect(call["index"] as? Int == 0)
                    id = call["id"] as? String ?? id
                    let function = call["function"] as? [String: Any] ?? [:]
                    name = function["name"] as? String ?? name
                    arguments += function["arguments"] as? String ?? ""
                }
            }
            #expect(text == "Writing it.")
            #expect(name == "write_file")
            #expect(id?.hasPrefix("call_") == true)
            #expect((try JSONSerialization.jsonObject(with: Data(arguments.utf8)) as? [String: String]) == ["path": "a.txt", "content": "hi"])
            #expect(finish == "tool_calls")
            #expect((usage?["completion_tokens"] as? Int ?? 0) > 0)
        }
    }

    @Test func openAIJSON() async throws {
        try await Self.with(ModelScript([.text("Plain answer.")])) { server, client in
            let body: [String: Any] = ["model": "m", "messages": [["role": "user", "content": "hi"]]]
            let response = try await Self.post(client, server, "/v1/chat/completions", headers: Self.openAIHeaders, body)
            let completion = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let choice = try #require((completion["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "stop")
            #expect((choice["message"] as? [String: Any])?["content"] as? String == "Plain answer.")
        }
    }

    @Test func refusesWhatTheRealAPIsRefuse() async throws {
        try await Self.with(ModelScript([])) { server, client in
            let messages: [[String: Any]] = [["role": "user", "content": "hi"]]
            var noKey = Self.anthropicHeaders
            noKey.remove("x-api-key")
            let unauthenticated = try await Self.post(client, server, "/v1/messages", headers: noKey,
                                                      ["model": "m", "max_tokens": 1, "messages": messages])
            #expect(unauthenticated.status.code == 401)
            let noMaxTokens = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders,
                                                  ["model": "m", "messages": messages])
            #expect(noMaxTokens.status.code == 400)
            let error = try JSONSerialization.jsonObject(with: Data(noMaxTokens.body)) as? [String: Any]
            #expect(error?["type"] as? String == "error")
            let unanswered: [[String: Any]] = [
                ["role": "user", "content": "hi"],
                ["role": "assistant", "content": [["type": "tool_use", "id": "toolu_1", "name": "bash", "input": [:]]]],
                ["role": "user", "content": [["type": "text", "text": "what?"]]],
            ]
            let orphan = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders,
                                             ["model": "m", "max_tokens": 1, "messages": unanswered])
            #expect(orphan.status.code == 400)
            let openAIOrphan = try await Self.post(client, server, "/v1/chat/completions", headers: Self.openAIHeaders, [
                "model": "m", "messages": [["role": "user", "content": "hi"], ["role": "tool", "tool_call_id": "x", "content": "y"]],
            ])
            #expect(openAIOrphan.status.code == 400)
            #expect(server.requests.count == 4, "refused requests are recorded too")
            #expect(server.requests.first?.headers["x-api-key"] == nil)
        }
    }

    @Test func whenTheScriptRunsOut() async throws {
        let body: [String: Any] = ["model": "m", "max_tokens": 10, "messages": [["role": "user", "content": "hi"]]]
        func text(_ r: ClientResponse) -> String? {
            let content = (try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])?["content"] as? [[String: Any]]
            return content?.first?["text"] as? String
        }
        try await Self.with(ModelScript([.text("first")])) { server, client in
            _ = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders, body)
            let second = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders, body)
            #expect(text(second) == "ok")
        }
        try await Self.with(ModelScript([.text("first")], whenExhausted: .repeatLast)) { server, client in
            _ = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders, body)
            let second = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders, body)
            #expect(text(second) == "first")
        }
        try await Self.with(ModelScript([], whenExhausted: .fail)) { server, client in
            let response = try await Self.post(client, server, "/v1/messages", headers: Self.anthropicHeaders, body)
            #expect(response.status.code == 500)
        }
    }

    @Test func scriptFile() throws {
        let json = """
            {"chunk_size": 2, "when_exhausted": "repeat_last", "turns": [
              {"text": "a", "tool_calls": [{"name": "bash", "input": {"command": "ls"}}], "delay_ms": 5},
              {"error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}},
              {"stream_error": {"message": "boom"}},
              {"hang": true},
              {"text": "b", "usage": {"input_tokens": 3, "output_tokens": 4}, "stop_reason": "max_tokens"}
            ]}
            """
        let script = try ModelScript(json: Data(json.utf8))
        #expect(script.chunkSize == 2)
        #expect(script.whenExhausted == .repeatLast)
        #expect(script.turns[0] == ScriptedTurn.toolCall("bash", #"{"command":"ls"}"#, text: "a").delayed(by: .milliseconds(5)))
        #expect(script.turns[1] == .httpError(529, type: "overloaded_error", message: "Overloaded"))
        #expect(script.turns[2].outcome == .streamError(type: "api_error", message: "boom"))
        #expect(script.turns[3] == .hang)
        #expect(script.turns[4].usage?.output == 4)
        #expect(script.turns[4].stopReason == "max_tokens")
        #expect(throws: ModelScript.FormatError.self) { try ModelScript(json: Data(#"{"turns":[{}]}"#.utf8)) }
        #expect(throws: ModelScript.FormatError.self) { try ModelScript(json: Data(#"{"turns":[], "when_exhausted": 3}"#.utf8)) }
    }

    /// The executable, as a benchmark runs it: address on the first line, unlimited "ok" turns, SIGTERM.
    @Test func executable() async throws {
        let binary = try #require(BuiltExecutable.find("scripted-model"), "scripted-model is built")
        let scriptPath = NSTemporaryDirectory() + "script-\(UUID().uuidString.prefix(8)).json"
        try #"{"turns":[{"text":"hello"}]}"#.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scriptPath) }
        let socketPath = "/tmp/sm-\(UUID().uuidString.prefix(8)).sock"
        let child = try ChildProcess(binary.path, ["--listen", "unix:\(socketPath)", "--script", scriptPath])
        for _ in 0..<500 where child.lines.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        #expect(child.lines.first == "unix:\(socketPath)")
        let body = Array(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let texts = try await TestClient.with { client in
            var texts: [String] = []
            for _ in 0..<3 {
                let r = try await client.execute(ClientRequest(method: "POST", target: "/v1/chat/completions",
                                                               headers: Self.openAIHeaders, body: body), to: .unix(path: socketPath))
                let choices = (try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])?["choices"] as? [[String: Any]]
                texts.append((choices?.first?["message"] as? [String: Any])?["content"] as? String ?? "")
            }
            return texts
        }
        #expect(texts == ["hello", "ok", "ok"])
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: socketPath))
    }
}
