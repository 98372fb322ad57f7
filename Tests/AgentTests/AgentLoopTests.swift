import Foundation
import HTTP
import ScriptedModel
import Testing
@testable import Agent

/// The agent loop end to end, in process: fake warden on agent.sock, fake proxy on proxy.sock
/// in front of the scripted model, real tools in a temp workspace.
@Suite struct AgentLoopTests {
    static func writeThenReply() -> ModelScript {
        var write = ScriptedTurn.toolCall("write_file", #"{"path":"hello.txt","content":"Hello, world!\n"}"#,
                                          text: "I'll create the file.")
        write.usage = (input: 100, output: 20)
        var done = ScriptedTurn.text("Created hello.txt.")
        done.usage = (input: 150, output: 7)
        return ModelScript([write, done], whenExhausted: .fail, chunkSize: 4)
    }

    @Test(arguments: ["anthropic", "openai"])
    func toolUseThenTextCompletesTheRun(provider: String) async throws {
        try await AgentHarness.run(Self.writeThenReply()) { h in
            let runID = h.warden.enqueue(provider: provider)
            try h.startAgent()
            let completion = try await h.warden.completion(of: runID)

            // The tool ran in the workspace.
            #expect(h.file("hello.txt") == "Hello, world!\n")

            // The reply streamed as deltas (several, in order) and was posted whole.
            let reply = "I'll create the file.\n\nCreated hello.txt."
            #expect(h.warden.deltaText(runID) == reply)
            #expect(h.warden.calls(runID, "deltas").count >= 2)
            let messages = h.warden.calls(runID, "messages").map(\.json)
            #expect(messages.count == 1)
            #expect(messages.first?.string("role") == "assistant")
            #expect(messages.first?.string("text") == reply)

            // The tool run was reported.
            let toolCalls = h.warden.calls(runID, "tool-calls").map(\.json)
            #expect(toolCalls.count == 1)
            #expect(toolCalls.first?.string("name") == "write_file")
            #expect(toolCalls.first?.object("input")?.string("path") == "hello.txt")
            #expect(toolCalls.first?["is_error"] as? Bool == false)
            #expect(toolCalls.first?.string("output")?.contains("14 bytes") == true)

            // Completed with the summed usage.
            #expect(completion.string("status") == "completed")
            #expect(completion.string("stop_reason") == "end_turn")
            #expect(completion.object("usage")?.int("input_tokens") == 250)
            #expect(completion.object("usage")?.int("output_tokens") == 27)

            // Two model calls, streamed, with placeholder keys, the tool result sent back.
            let requests = h.model.modelRequests
            #expect(requests.count == 2)
            for request in requests {
                #expect(request.json?["stream"] as? Bool == true)
                #expect(request.json?.string("model") == "scripted-model")
            }
            if provider == "anthropic" {
                #expect(requests.allSatisfy { $0.path == "/v1/messages" })
                #expect(requests.allSatisfy { $0.headers["x-api-key"] == "warden-placeholder" })
                #expect(requests.allSatisfy { $0.headers["anthropic-version"] == "2023-06-01" })
                let second = try #require(requests.last?.json)
                #expect(second.string("system") == "You are a test agent.")
                let toolNames = second.array("tools").compactMap { $0.string("name") }
                #expect(Set(toolNames) == ["bash", "read_file", "write_file", "edit_file", "list_files", "send_message", "schedule_task"])
                let messages = second.array("messages")
                #expect(messages.map { $0.string("role") } == ["user", "assistant", "user"])
                let toolUse = try #require(messages[1].array("content").first { $0.string("type") == "tool_use" })
                let result = try #require(messages[2].array("content").first)
                #expect(result.string("type") == "tool_result")
                #expect(result.string("tool_use_id") == toolUse.string("id"))
                #expect(result["is_error"] as? Bool == false)
            } else {
                #expect(requests.allSatisfy { $0.path == "/v1/chat/completions" })
                #expect(requests.allSatisfy { $0.headers["Authorization"] == "Bearer warden-placeholder" })
                let second = try #require(requests.last?.json)
                let messages = second.array("messages")
                #expect(messages.map { $0.string("role") } == ["system", "user", "assistant", "tool"])
                let call = try #require(messages[2].array("tool_calls").first)
                #expect(messages[3].string("tool_call_id") == call.string("id"))
                #expect(call.object("function")?.string("name") == "write_file")
                #expect(second.object("stream_options")?["include_usage"] as? Bool == true)
            }

            // Every poll was a long-poll, and nothing in the log is more than ids and counts.
            #expect(h.warden.workPolls.allSatisfy { $0.query == "wait=1" })
            #expect(h.log.contains { $0.contains("\"event\":\"run.completed\"") })
        }
    }

    @Test(arguments: ["anthropic", "openai"])
    func modelHTTPErrorFailsTheRunClearly(provider: String) async throws {
        try await AgentHarness.run(ModelScript([.httpError(529, type: "overloaded_error", message: "Overloaded")], whenExhausted: .fail)) { h in
            let runID = h.warden.enqueue(provider: provider)
            try h.startAgent()
            let completion = try await h.warden.completion(of: runID)
            #expect(completion.string("status") == "failed")
            let error = try #require(completion.object("error"))
            #expect(error.string("code") == "model_error")
            let message = try #require(error.string("message"))
            #expect(message.contains("529"))
            #expect(message.contains("Overloaded"))
            #expect(h.warden.calls(runID, "messages").isEmpty)
        }
    }

    @Test(arguments: ["anthropic", "openai"])
    func errorInsideTheStreamFailsTheRun(provider: String) async throws {
        try await AgentHarness.run(ModelScript([.streamError(type: "overloaded_error", message: "Overloaded mid-stream")])) { h in
            let runID = h.warden.enqueue(provider: provider)
            try h.startAgent()
            let completion = try await h.warden.completion(of: runID)
            #expect(completion.string("status") == "failed")
            #expect(completion.object("error")?.string("code") == "model_error")
            #expect(completion.object("error")?.string("message")?.contains("Overloaded mid-stream") == true)
        }
    }

    @Test func unreachableProxyFailsTheRun() async throws {
        try await AgentHarness.run(ModelScript([])) { h in
            let runID = h.warden.enqueue()
            try h.startAgent { $0.proxySocket = h.directory + "/missing.sock" }
            let completion = try await h.warden.completion(of: runID)
            #expect(completion.string("status") == "failed")
            #expect(completion.object("error")?.string("code") == "model_unreachable")
        }
    }

    @Test func silentModelFailsTheRunAfterTheIdleTimeout() async throws {
        try await AgentHarness.run(ModelScript([.hang])) { h in
            let runID = h.warden.enqueue()
            try h.startAgent { $0.modelIdleTimeout = .milliseconds(500) }
            let completion = try await h.warden.completion(of: runID)
            #expect(completion.string("status") == "failed")
            #expect(completion.object("error")?.string("code") == "model_unreachable")
            #expect(completion.object("error")?.string("message")?.contains("too long") == true)
        }
    }

    @Test func conflictAbandonsTheRunAndTheAgentTakesTheNext() async throws {
        // The first run's text makes the agent post a delta, which warden answers 409.
        let first = ScriptedTurn.toolCall("bash", #"{"command":"echo first"}"#, text: "Working on the first run.")
        try await AgentHarness.run(ModelScript([first], whenExhausted: .reply("Second run done."))) { h in
            let abandoned = h.warden.enqueue()
            h.warden.finish(abandoned)
            let next = h.warden.enqueue(messages: [("user", "next one")])
            try h.startAgent()
            let completion = try await h.warden.completion(of: next)
            #expect(completion.string("status") == "completed")
            #expect(h.warden.calls(next, "messages").first?.json.string("text") == "Second run done.")
            // Nothing after the 409 for the abandoned run: no message, no completion.
            #expect(!h.warden.calls(abandoned, "deltas").isEmpty || !h.warden.calls(abandoned, "tool-calls").isEmpty)
            #expect(h.warden.calls(abandoned, "messages").isEmpty)
            #expect(h.warden.calls(abandoned, "complete").isEmpty)
            #expect(h.log.contains { $0.contains("\"event\":\"run.abandoned\"") && $0.contains(abandoned) })
            #expect(h.model.modelRequests.count == 2, "the abandoned run made no further model call")
        }
    }

    @Test func toolErrorsGoBackToTheModel() async throws {
        let edit = ScriptedTurn.toolCall("edit_file", #"{"path":"missing.txt","old_string":"a","new_string":"b"}"#)
        try await AgentHarness.run(ModelScript([edit, .text("The file is missing.")])) { h in
            let runID = h.warden.enqueue()
            try h.startAgent()
            let completion = try await h.warden.completion(of: runID)
            #expect(completion.string("status") == "completed")
            let report = try #require(h.warden.calls(runID, "tool-calls").first?.json)
            #expect(report["is_error"] as? Bool == true)
            #expect(report.string("output")?.contains("missing.txt does not exist") == true)
            let messages = try #require(h.model.modelRequests.last?.json).array("messages")
            let result = try #require(messages.last?.array("content").first)
            #expect(result["is_error"] as? Bool == true)
            #expect((result.string("content") ?? "").contains("does not exist"))
        }
    }

    @Test func sendMessageAndScheduleTask() async throws {
        let calls = ScriptedTurn.toolCalls([
            ScriptedToolCall(name: "send_message", input: ["text": "Working on it."]),
            ScriptedToolCall(name: "schedule_task", input: ["cron": "0 9 * * 1-5", "prompt": "Morning report"]),
            ScriptedToolCall(name: "schedule_task", input: ["cron": "never", "prompt": "Bad"]),
        ])
        try await AgentHarness.run(ModelScript([calls, .text("Scheduled.")])) { h in
            let runID = h.warden.enqueue()
            try h.startAgent()
            _ = try await h.warden.completion(of: runID)
            #expect(h.warden.calls(runID, "messages").map { $0.json.string("text") } == ["Working on it.", "Scheduled."])
            let tasks = h.warden.tasks.map(\.json)
            #expect(tasks.count == 2)
            #expect(tasks.first?.string("cron") == "0 9 * * 1-5")
            #expect(tasks.first?.string("timezone") == "UTC")
            #expect(tasks.first?.string("prompt") == "Morning report")
            let reports = h.warden.calls(runID, "tool-calls").map(\.json)
            #expect(reports.map { $0["is_error"] as? Bool } == [false, false, true])
            #expect(reports.last?.string("output")?.contains("cron must have five fields") == true)
        }
    }

    @Test func endlessToolUseFailsAtTheLimit() async throws {
        try await AgentHarness.run(ModelScript([.toolCall("bash", #"{"command":"true"}"#)], whenExhausted: .repeatLast)) { h in
            let runID = h.warden.enqueue()
            try h.startAgent { $0.maxModelCalls = 3 }
            let completion = try await h.warden.completion(of: runID)
            #expect(completion.string("status") == "failed")
            #expect(completion.object("error")?.string("code") == "tool_limit")
            #expect(h.model.modelRequests.count == 3)
            #expect(h.warden.calls(runID, "tool-calls").count == 3)
        }
    }

    @Test func historyBecomesTheConversation() async throws {
        try await AgentHarness.run(ModelScript([.text("Deleted.")])) { h in
            let runID = h.warden.enqueue(provider: "anthropic", messages: [
                ("user", "create hello.txt"), ("assistant", "Done."), ("user", "now delete it"), ("user", "please"),
            ])
            try h.startAgent()
            _ = try await h.warden.completion(of: runID)
            let messages = try #require(h.model.modelRequests.first?.json).array("messages")
            #expect(messages.map { $0.string("role") } == ["user", "assistant", "user"])
            #expect(messages.last?.array("content").first?.string("text") == "now delete it\n\nplease")
        }
    }

    @Test func anUnreadableWorkItemIsFailed() async throws {
        try await AgentHarness.run(ModelScript([])) { h in
            h.warden.enqueueRaw(#"{"run":{"id":"run_bad"},"agent":{"provider":"gemini","model":"x"},"messages":[]}"#)
            try h.startAgent()
            let completion = try await h.warden.completion(of: "run_bad")
            #expect(completion.string("status") == "failed")
            #expect(completion.object("error")?.string("code") == "invalid_work_item")
            #expect(h.model.modelRequests.isEmpty)
        }
    }

    @Test func theAgentWaitsForWardenAndReconnects() async throws {
        let h = try AgentHarness(ModelScript([.text("Hello.")]))
        await h.warden.stop() // warden is not there yet
        try h.startAgent()
        for _ in 0..<500 where !h.log.contains(where: { $0.contains("warden.unreachable") }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(h.log.contains { $0.contains("warden.unreachable") })
        let warden = try FakeWarden(socketPath: h.agentSocket)
        let runID = warden.enqueue()
        let completion = try await warden.completion(of: runID)
        #expect(completion.string("status") == "completed")
        #expect(h.log.contains { $0.contains("warden.reachable") })
        await warden.stop()
        await h.stop()
    }
}
