import Core
import Foundation
import HTTP
import Store

/// The routes of `agent.sock` (docs/agent-protocol.md). The session is the socket's; a run of
/// another session is not found, and a finished run is a conflict the agent abandons.
struct AgentRoutes {
    let core: WardenCore
    let scheduler: Scheduler

    func router() -> Router {
        var router = Router()
        router.get("/v1/work", .async(work))
        router.post("/v1/runs/{id}/deltas", .async(delta))
        router.post("/v1/runs/{id}/messages", .async(message))
        router.post("/v1/runs/{id}/tool-calls", .async(toolCall))
        router.post("/v1/runs/{id}/approvals", .async(approval))
        router.post("/v1/runs/{id}/complete", .async(complete))
        router.post("/v1/tasks", .async(scheduleTask))
        return router
    }

    func session(_ request: Request) throws -> String {
        guard let identity = request.listenerContext as? SessionSocketIdentity, identity.kind == .agent else {
            throw AgentError(.forbidden, code: "not_an_agent_socket", message: "This route is served only on a session's agent.sock.")
        }
        return identity.sessionID
    }

    private func activeRun(_ request: Request, session: String) async throws -> RunRecord {
        let id = request.parameters["id"] ?? ""
        return try await translatingCoreErrors { try await core.write { try $0.activeRun(id, session: session) } }
    }

    @Sendable func work(_ request: Request) async throws -> Response {
        let session = try session(request)
        var seconds = 30
        if let given = request.queryParameters["wait"] {
            guard let value = Int(given), (0...60).contains(value) else {
                throw AgentError.invalid("wait", "'wait' must be a whole number of seconds from 0 to 60.")
            }
            seconds = value
        }
        guard let item = await scheduler.nextWork(session, wait: .seconds(seconds)) else { return .empty() }
        return .json(item.jsonBytes)
    }

    @Sendable func delta(_ request: Request) async throws -> Response {
        let session = try session(request)
        let text = try AgentBody(request).string("text")
        let id = request.parameters["id"] ?? ""
        try await translatingCoreErrors {
            try await core.write { tx in try tx.appendDelta(text, run: try tx.activeRun(id, session: session)) }
        }
        return .empty()
    }

    @Sendable func message(_ request: Request) async throws -> Response {
        let session = try session(request)
        let body = try AgentBody(request)
        let role = try body.optionalString("role") ?? "assistant"
        guard role == "assistant" else { throw AgentError.invalid("role", "An agent posts only 'assistant' messages.") }
        return try await store(role: "assistant", text: try body.string("text"), request, session: session)
    }

    @Sendable func toolCall(_ request: Request) async throws -> Response {
        let session = try session(request)
        let body = try AgentBody(request)
        let name = try body.string("name")
        let output = try body.optionalString("output") ?? ""
        let input = body.fields["input"]?.encodedText ?? "{}"
        let failed: Bool
        if case .bool(true)? = body.fields["is_error"] { failed = true } else { failed = false }
        let text = "\(name)\(failed ? " (failed)" : "") \(input)\n\(output)"
        return try await store(role: "tool", text: text, request, session: session)
    }

    /// Stores a message of the run named in the path, if it is this session's and still going.
    private func store(role: String, text: String, _ request: Request, session: String) async throws -> Response {
        let id = request.parameters["id"] ?? ""
        let message = try await translatingCoreErrors {
            try await core.write { tx in try tx.agentMessage(role: role, text: text, run: try tx.activeRun(id, session: session)) }
        }
        return .json(message.jsonBytes, status: .created)
    }

    @Sendable func approval(_ request: Request) async throws -> Response {
        let session = try session(request)
        let body = try AgentBody(request)
        let summary = try body.string("summary")
        let tool = try body.optionalString("tool") ?? "tool"
        let input = body.fields["input"]?.encodedText ?? "{}"
        let run = try await activeRun(request, session: session)
        let details = ApprovalRequestDetails(method: "TOOL", host: "", path: tool, headers: [:],
                                             body_preview: String(input.prefix(1024)))
        let decided = try await translatingCoreErrors {
            let approval = try await core.requestApproval(session: session, run: run.id, kind: "tool", summary: summary,
                                                          request: details)
            return try await core.awaitDecision(approval.id)
        }
        var w = JSONWriter()
        w.objectStart()
        w.key("approval_id", decided.id)
        w.key("decision", decided.decision?.decision == "approve" ? "approve" : "deny")
        w.key("reason", decided.decision?.reason ?? (decided.status == "expired" ? "The approval expired." : nil))
        w.objectEnd()
        return .json(w.bytes)
    }

    @Sendable func complete(_ request: Request) async throws -> Response {
        let session = try session(request)
        let body = try AgentBody(request)
        let status = try body.string("status")
        guard status == "completed" || status == "failed" else {
            throw AgentError.invalid("status", "'status' must be 'completed' or 'failed'.")
        }
        let stopReason = try body.optionalString("stop_reason")
        let usage = try body.optionalObject("usage")
        let error = try body.optionalObject("error")
        let run = try await activeRun(request, session: session)
        // Before the write: the run's end must not look like a cancellation to the scheduler.
        await scheduler.agentFinishing(session, run: run.id)
        let finished = try await translatingCoreErrors {
            try await core.write { tx -> Run in
                var record = try tx.activeRun(run.id, session: session)
                record.usage = usage?.encodedText
                return try tx.finishRun(record, status: status == "completed" ? .completed : .failed,
                                        stopReason: stopReason ?? (status == "completed" ? "end_turn" : "error"),
                                        error: status == "failed" ? (error ?? .object(["code": .string("agent_error"),
                                            "message": .string("The agent reported a failure without details.")])) : nil)
            }
        }
        return .json(finished.jsonBytes)
    }
}

extension AgentRoutes {
    /// The `schedule_task` tool: a task of this session, like `POST /v1/sessions/{id}/tasks`.
    @Sendable func scheduleTask(_ request: Request) async throws -> Response {
        let session = try session(request)
        let body = try AgentBody(request)
        let prompt = try body.string("prompt")
        guard !prompt.isEmpty, prompt.utf8.count <= 64 * 1024 else {
            throw AgentError.invalid("prompt", "'prompt' must be 1 byte to 64 KiB.")
        }
        let cron = try body.string("cron")
        let timezone = try body.optionalString("timezone") ?? "UTC"
        let task = try await translatingCoreErrors {
            try await core.write { try $0.createTask(session: session, cron: cron, timezone: timezone, prompt: prompt, actor: "agent") }
        }
        return .json(task.jsonBytes, status: .created)
    }
}

/// One handler for every session socket: agent.sock goes to the agent routes, proxy.sock to the proxy.
struct SessionSocketHandler: HTTPHandler {
    let agent: Router
    let proxy: any HTTPHandler

    func handle(_ request: Request) -> HandlerResult {
        if let identity = request.listenerContext as? SessionSocketIdentity, identity.kind == .proxy {
            return proxy.handle(request)
        }
        return agent.handle(request)
    }
}
