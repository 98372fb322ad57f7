import HTTP
import Synchronization

/// Asks warden for work, one run at a time, for as long as the task lives: long-polls
/// `GET /v1/work`, works on what it gets, finishes it, asks again.
struct WorkLoop: Sendable {
    let configuration: AgentConfiguration
    let warden: WardenClient
    let http: HTTPClient
    let toolbox: Toolbox
    let log: EventLog

    func run() async {
        var backoff = Backoff()
        var wasUnreachable = false
        while !Task.isCancelled {
            let asked = ContinuousClock.now
            let poll: WardenClient.Poll
            do {
                poll = try await warden.nextWork(wait: configuration.pollWait)
            } catch {
                if !wasUnreachable { log.warning("warden.unreachable", ["error": .string(error.description)]) }
                wasUnreachable = true
                try? await Task.sleep(for: backoff.next())
                continue
            }
            if wasUnreachable { log.info("warden.reachable") }
            wasUnreachable = false
            backoff.reset()
            switch poll {
            case .idle:
                // Warden should hold the request for the whole wait; if it answers at once, pause
                // anyway rather than spin.
                if ContinuousClock.now - asked < .seconds(1) { try? await Task.sleep(for: .seconds(1)) }
            case .work(let item):
                await perform(item)
            case .unreadable(let runID, let reason):
                log.error("run.unreadable", ["run_id": .string(runID), "error": .string(reason)])
                await finish(runID, .failed(code: "invalid_work_item",
                                            message: "The agent could not read the work item: \(reason)", usage: Usage()))
            }
        }
    }

    private func perform(_ item: WorkItem) async {
        let runID = item.run.id
        log.info("run.started", ["run_id": .string(runID), "provider": .string(item.agent.provider.rawValue),
                                 "model": .string(item.agent.model), "messages": .number(Double(item.messages.count))])
        let runTask = RunTaskHandle()
        let reply = ReplyStream(warden: warden, runID: runID, log: log, onRunFinished: { runTask.cancel() })
        let executor = RunExecutor(
            work: item, model: modelClient(for: item.agent), toolbox: toolbox,
            context: ToolContext(runID: runID, warden: warden, workspace: Workspace(root: configuration.workspace),
                                 bashTimeout: configuration.bashTimeout),
            maxModelCalls: configuration.maxModelCalls, log: log)
        let task = Task { await executor.execute(reply: reply) }
        runTask.set(task)
        let outcome = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        // Deltas still in flight go before the run is finished, not after (they would meet a 409).
        await reply.flush()
        guard let completion = outcome.completion else {
            log.info("run.abandoned", ["run_id": .string(runID)])
            return
        }
        await finish(runID, completion)
    }

    private func finish(_ runID: String, _ completion: RunCompletion) async {
        switch completion {
        case .completed(let stopReason, let usage):
            log.info("run.completed", ["run_id": .string(runID), "stop_reason": .string(stopReason),
                                       "input_tokens": .number(Double(usage.inputTokens)),
                                       "output_tokens": .number(Double(usage.outputTokens))])
        case .failed(let code, let message, _):
            log.error("run.failed", ["run_id": .string(runID), "code": .string(code), "message": .string(message)])
        }
        do {
            try await warden.complete(runID: runID, completion)
        } catch {
            if case .runFinished = error { return } // warden finished it first (cancelled, timed out)
            log.error("run.complete_failed", ["run_id": .string(runID), "error": .string(error.description)])
        }
    }

    private func modelClient(for agent: WorkItem.AgentSpec) -> any ModelClient {
        let transport = ModelTransport(http: http, proxy: .unix(path: configuration.proxySocket),
                                       idleTimeout: configuration.modelIdleTimeout)
        let settings = ModelSettings(model: agent.model, maxTokens: agent.maxTokens ?? 4096)
        switch agent.provider {
        case .anthropic: return AnthropicClient(transport: transport, settings: settings, apiKey: configuration.anthropicKey)
        case .openai: return OpenAIClient(transport: transport, settings: settings, apiKey: configuration.openAIKey)
        }
    }
}

/// The task working on a run, so a 409 seen by the delta poster can stop it. A 409 that comes
/// before the task is known cancels it as soon as it is.
final class RunTaskHandle: Sendable {
    private let state = Mutex<(task: Task<RunOutcome, Never>?, cancelled: Bool)>((nil, false))

    func set(_ task: Task<RunOutcome, Never>) {
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        if cancelled { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
