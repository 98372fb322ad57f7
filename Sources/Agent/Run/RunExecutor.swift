/// Works on one run: calls the model, runs the tools it asks for and sends back their results,
/// until the model ends its turn; then posts the reply. Finishing the run is the caller's job.
struct RunExecutor: Sendable {
    let work: WorkItem
    let model: any ModelClient
    let toolbox: Toolbox
    let context: ToolContext
    let maxModelCalls: Int
    let log: EventLog

    private var runID: String { work.run.id }

    func execute(reply: ReplyStream) async -> RunOutcome {
        var conversation = Conversation(system: work.agent.system, history: work.messages)
        var usage = Usage()
        for _ in 0..<maxModelCalls {
            await reply.beginTurn()
            let turn: ModelTurn
            do {
                turn = try await model.respond(to: conversation, tools: toolbox.definitions) { await reply.append($0) }
            } catch {
                if await isAbandoned(reply) || error == .cancelled { return .abandoned }
                return .failed(code: error.code, message: error.description, usage: usage)
            }
            usage = usage + turn.usage
            conversation.append(.assistant(turn.blocks))
            let uses = turn.toolUses
            guard turn.stopReason == "tool_use", !uses.isEmpty else {
                return await finish(reply: reply, stopReason: turn.stopReason, usage: usage)
            }
            guard let results = await runTools(uses) else { return .abandoned }
            conversation.append(.toolResults(results))
        }
        return .failed(code: "tool_limit",
                       message: "The model was still calling tools after \(maxModelCalls) model calls; the run was stopped.",
                       usage: usage)
    }

    /// Runs the tools in order and reports each; nil when the run is over.
    private func runTools(_ uses: [ToolUse]) async -> [ToolResult]? {
        var results: [ToolResult] = []
        for use in uses {
            guard !Task.isCancelled else { return nil }
            let outcome: ToolOutcome
            do { outcome = try await toolbox.run(use, context: context) } catch { return nil }
            log.info("tool.ran", ["run_id": .string(runID), "tool": .string(use.name), "is_error": .bool(outcome.isError),
                                  "output_bytes": .number(Double(outcome.output.utf8.count))])
            let output = outcome.output.isEmpty ? "(no output)" : outcome.output
            do {
                try await context.warden.reportToolCall(runID: runID, name: use.name, input: .object(use.input ?? [:]),
                                                        output: output, isError: outcome.isError)
            } catch {
                if case .runFinished = error { return nil }
                // The report is for the record; the run itself can go on without it.
                log.warning("tool.report_failed", ["run_id": .string(runID), "error": .string(error.description)])
            }
            results.append(ToolResult(toolUseID: use.id, output: output, isError: outcome.isError))
        }
        return results
    }

    private func finish(reply: ReplyStream, stopReason: String, usage: Usage) async -> RunOutcome {
        await reply.flush()
        if await isAbandoned(reply) { return .abandoned }
        let text = await reply.text
        guard !text.isEmpty else { return .completed(stopReason: stopReason, usage: usage) }
        do {
            try await context.warden.postMessage(runID: runID, text: text)
        } catch {
            if case .runFinished = error { return .abandoned }
            return .failed(code: "reply_not_stored", message: "The reply could not be posted: \(error)", usage: usage)
        }
        return .completed(stopReason: stopReason, usage: usage)
    }

    private func isAbandoned(_ reply: ReplyStream) async -> Bool {
        if Task.isCancelled { return true }
        return await reply.runFinished
    }
}
