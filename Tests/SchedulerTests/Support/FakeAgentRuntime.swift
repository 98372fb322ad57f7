import Core
import Foundation
import HTTP
import Synchronization
@testable import Scheduler

/// What a fake agent does with one run it fetched.
enum FakeBehaviour: Sendable {
    /// Streams `reply` as two deltas, posts it as the assistant message and completes.
    case answer(String)
    /// Never answers (the run must time out).
    case hang
    /// The container dies with `status` while working on the run.
    case crash(status: Int)
    /// Blocks until the test releases `gate`, then answers.
    case waitFor(Gate, reply: String)
}

/// A one-shot latch a test opens to let a fake agent go on.
final class Gate: Sendable {
    private let open = Mutex(false)
    func release() { open.withLock { $0 = true } }
    var isOpen: Bool { open.withLock { $0 } }
}

/// A `ContainerRuntime` whose containers are tasks in this process running a fake agent
/// against the session's real agent.sock. It exercises the scheduler and the agent protocol
/// without Docker (the Docker path has its own end-to-end tests) and counts how many
/// containers run at once.
final class FakeAgentRuntime: ContainerRuntime, @unchecked Sendable {
    private struct Container {
        var sessionID: String
        var exit: CheckedContinuation<Int, Never>?
        var exitCode: Int?
        var task: Task<Void, Never>?
    }

    private let lock = NSLock()
    private var containers: [String: Container] = [:]
    private var counter = 0
    private(set) var peakRunning = 0
    private(set) var started = 0
    private(set) var labelled: [String: String] = [:]
    let client: HTTPClient
    let behaviour: @Sendable (_ session: String, _ runID: String, _ lastUserText: String) -> FakeBehaviour
    /// Starts fail while this is positive (each failure counts it down).
    let failingStarts = Mutex(0)

    init(group: EventLoopGroup, behaviour: @escaping @Sendable (String, String, String) -> FakeBehaviour) {
        client = HTTPClient(group: group)
        self.behaviour = behaviour
    }

    var running: Int { lock.withLock { containers.values.filter { $0.exitCode == nil }.count } }

    /// Pretends a container of an earlier warden is still around.
    func addOrphan(id: String, session: String) { lock.withLock { labelled[id] = session } }

    func start(_ request: SessionContainer) async throws -> RunningContainer {
        let shouldFail = failingStarts.withLock { n -> Bool in
            guard n > 0 else { return false }
            n -= 1
            return true
        }
        if shouldFail { throw FakeStartError() }
        let id: String = lock.withLock {
            counter += 1
            started += 1
            let id = "fake-\(counter)"
            containers[id] = Container(sessionID: request.sessionID)
            peakRunning = max(peakRunning, containers.values.filter { $0.exitCode == nil }.count)
            return id
        }
        let socket = SocketAddress.unix(path: request.runDirectory + "/agent.sock")
        let task = Task { [self] in
            let code = await agentLoop(socket: socket, session: request.sessionID)
            end(id, code: code)
        }
        lock.withLock { containers[id]?.task = task }
        return RunningContainer(id: id, sessionID: request.sessionID) { [self] in await waitForExit(id) }
    }

    func stop(_ containerID: String) async throws {
        let task = lock.withLock { () -> Task<Void, Never>? in
            labelled[containerID] = nil
            return containers[containerID]?.task
        }
        task?.cancel()
        end(containerID, code: 137)
    }

    func labelledContainers(instance: String) async throws -> [String: String] { lock.withLock { labelled } }

    private func end(_ id: String, code: Int) {
        let waiter = lock.withLock { () -> CheckedContinuation<Int, Never>? in
            guard containers[id] != nil, containers[id]?.exitCode == nil else { return nil }
            containers[id]?.exitCode = code
            defer { containers[id]?.exit = nil }
            return containers[id]?.exit
        }
        waiter?.resume(returning: code)
    }

    private func waitForExit(_ id: String) async -> Int {
        await withCheckedContinuation { continuation in
            let done = lock.withLock { () -> Int? in
                if let code = containers[id]?.exitCode { return code }
                containers[id]?.exit = continuation
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    // MARK: the fake agent

    /// Polls for work and acts out the behaviour; returns the container's exit status.
    private func agentLoop(socket: SocketAddress, session: String) async -> Int {
        while !Task.isCancelled {
            guard let response = try? await client.execute(ClientRequest(target: "/v1/work?wait=2"), to: socket) else {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            guard response.status == .ok, case .object(let work) = JSONValue.decode(response.bodyString),
                  case .object(let run)? = work["run"], case .string(let runID)? = run["id"] else { continue }
            var lastUser = ""
            if case .array(let messages)? = work["messages"] {
                for case .object(let m) in messages {
                    if case .string("user")? = m["role"], case .string(let text)? = m["text"] { lastUser = text }
                }
            }
            switch behaviour(session, runID, lastUser) {
            case .answer(let reply):
                await answer(reply, runID: runID, socket: socket)
            case .hang:
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
            case .crash(let status):
                return status
            case .waitFor(let gate, let reply):
                while !gate.isOpen && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
                await answer(reply, runID: runID, socket: socket)
            }
        }
        return 137
    }

    private func answer(_ reply: String, runID: String, socket: SocketAddress) async {
        let half = reply.index(reply.startIndex, offsetBy: reply.count / 2)
        for piece in [String(reply[..<half]), String(reply[half...])] {
            _ = await post("/v1/runs/\(runID)/deltas", ["text": .string(piece)], socket)
        }
        _ = await post("/v1/runs/\(runID)/messages", ["role": .string("assistant"), "text": .string(reply)], socket)
        _ = await post("/v1/runs/\(runID)/complete", ["status": .string("completed"), "stop_reason": .string("end_turn"),
                                                      "usage": .object(["input_tokens": .integer(3), "output_tokens": .integer(2)])],
                       socket)
    }

    func post(_ target: String, _ body: [String: JSONValue], _ socket: SocketAddress) async -> ClientResponse? {
        try? await client.execute(ClientRequest(method: "POST", target: target, headers: ["Content-Type": "application/json"],
                                                body: Array(JSONValue.object(body).encodedText.utf8)), to: socket)
    }
}

struct FakeStartError: Error, CustomStringConvertible {
    var description: String { "the fake engine refused to start a container" }
}
