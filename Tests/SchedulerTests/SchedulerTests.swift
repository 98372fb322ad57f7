import Core
import Foundation
import HTTP
import Store
import Testing
import TestSupport
@testable import Scheduler

/// The scheduler against the real store and the real agent socket, with in-process fake
/// containers (`FakeAgentRuntime`). The behaviour of each fake agent is chosen by the text of
/// the message it answers.
@Suite struct SchedulerTests {
    static func behaviour(gate: Gate? = nil) -> @Sendable (String, String, String) -> FakeBehaviour {
        { _, _, text in
            switch text {
            case "hang": return .hang
            case "crash": return .crash(status: 3)
            case "hold": return .waitFor(gate ?? Gate(), reply: "released")
            default: return .answer("re: \(text)")
            }
        }
    }

    /// Posts `text` to `session` and waits until its agent has taken the run.
    func startRun(_ text: String, in session: String, _ h: SchedulerHarness) async throws -> String {
        let id = try await h.post(text, to: session)
        try await eventually("the run is in progress") { try await h.run(id).status == "in_progress" }
        return id
    }

    /// Waits for each run in turn: each completes, none starting before the one before it finished.
    func expectCompletedInOrder(_ runs: [String], after previousEnd: String, _ h: SchedulerHarness) async throws {
        var previousEnd = previousEnd
        for id in runs {
            let run = try await h.finished(id)
            #expect(run.status == "completed")
            #expect((run.startedAt ?? "") >= previousEnd, "run \(id) started before the one before it finished")
            previousEnd = run.completedAt ?? ""
        }
    }

    func agentSocket(_ session: String, _ h: SchedulerHarness) -> SocketAddress {
        .unix(path: h.directory.path + "/sessions/\(session)/run/agent.sock")
    }

    func harness(gate: Gate? = nil, _ configure: @escaping @Sendable (inout SchedulerConfiguration) -> Void = { _ in })
        async throws -> (SchedulerHarness, FakeAgentRuntime) {
        var fake: FakeAgentRuntime?
        let h = try await SchedulerHarness(runtime: { group in
            let runtime = FakeAgentRuntime(group: group, behaviour: Self.behaviour(gate: gate))
            fake = runtime
            return runtime
        }, configure: configure)
        return (h, fake!)
    }

    @Test func aMessageIsAnsweredThroughTheAgentSocketWithEveryEvent() async throws {
        let (h, _) = try await harness()
        let session = try await h.createSession()
        let runID = try await h.post("hello", to: session)
        let run = try await h.finished(runID)
        #expect(run.status == "completed")
        #expect(run.stopReason == "end_turn")
        #expect(run.startedAt != nil)
        #expect(run.usage?.contains("\"output_tokens\":2") == true)
        let messages = try await h.messages(session)
        #expect(messages.map(\.role) == ["user", "assistant"])
        #expect(messages.last?.content.contains("re: hello") == true)
        #expect(messages.last?.runID == runID)
        let types = try await h.events(session).map(\.type)
        #expect(types == ["message.created", "run.created", "run.status", "message.delta", "message.delta",
                          "message.created", "run.status", "run.completed"])
        let session2 = try await h.core.sessionRecord(session)
        #expect(session2?.status == "idle")
        await h.stop()
    }

    @Test func messagesToOneSessionRunInOrderOneAtATime() async throws {
        let (h, fake) = try await harness()
        let session = try await h.createSession()
        var runs: [String] = []
        for text in ["one", "two", "three"] { runs.append(try await h.post(text, to: session)) }
        try await expectCompletedInOrder(runs, after: "", h)
        let replies = try await h.messages(session).filter { $0.role == "assistant" }.map(\.content)
        #expect(replies.count == 3)
        #expect(replies[0].contains("re: one") && replies[1].contains("re: two") && replies[2].contains("re: three"))
        #expect(fake.started == 1, "a warm container is reused")
        await h.stop()
    }

    /// The scheduler keeps only the head of each queue; a backlog well past it, queued while
    /// the first run is held, still runs whole, in order, once each, in the one warm container.
    @Test func aBacklogLongerThanTheQueueHeadRunsInOrderOnceEach() async throws {
        let gate = Gate()
        let (h, fake) = try await harness(gate: gate)
        let session = try await h.createSession()
        let first = try await startRun("hold", in: session, h)
        var backlog: [String] = []
        for n in 1...(QueueSnapshot.depth * 4) { backlog.append(try await h.post("m\(n)", to: session)) }
        gate.release()
        try await expectCompletedInOrder(backlog, after: try await h.finished(first).completedAt ?? "", h)
        let replies = try await h.messages(session).filter { $0.role == "assistant" }.map(\.content)
        let expected = ["released"] + (1...(QueueSnapshot.depth * 4)).map { "re: m\($0)\"" }
        #expect(replies.count == expected.count)
        for (reply, text) in zip(replies, expected) { #expect(reply.contains(text)) }
        #expect(fake.started == 1, "a warm container is reused")
        await h.stop()
    }

    /// Runs appended behind a queue head the scheduler already holds whole cost no read (a
    /// busy session under a burst of messages), yet all of them still run, in order, once each.
    @Test func runsAppendedBehindAFullQueueHeadAreNotReadForButStillRun() async throws {
        let gate = Gate()
        let (h, _) = try await harness(gate: gate) { $0.maxContainers = 1 }
        let scheduler = h.service.scheduler
        let busy = try await h.createSession()
        let first = try await startRun("hold", in: busy, h)
        let waiting = try await h.createSession()
        var runs: [String] = []
        for n in 1...QueueSnapshot.depth { runs.append(try await h.post("m\(n)", to: waiting)) }
        try await eventually("the waiting session's queue head is full") {
            await scheduler.slots[waiting]?.queued.count == QueueSnapshot.depth
        }
        let reads = Locked<[Set<String>]>([])
        await scheduler.observeQueueReads { sessions in reads.update { $0.append(sessions) } }
        for n in (QueueSnapshot.depth + 1)...(QueueSnapshot.depth + 5) { runs.append(try await h.post("m\(n)", to: waiting)) }
        // A session the scheduler has not seen must be read; once it is, the appends before it were handled.
        let marker = try await h.createSession()
        let last = try await h.post("marker", to: marker)
        try await eventually("the marker session is read") { await scheduler.slots[marker] != nil }
        #expect(reads.value.contains { $0.contains(marker) })
        #expect(!reads.value.contains { $0.contains(waiting) }, "the appended runs were read for: \(reads.value)")
        gate.release()
        try await expectCompletedInOrder(runs, after: try await h.finished(first).completedAt ?? "", h)
        #expect(try await h.finished(last).status == "completed")
        let replies = try await h.messages(waiting).filter { $0.role == "assistant" }.map(\.content)
        #expect(replies.count == runs.count)
        for (n, reply) in replies.enumerated() { #expect(reply.contains("re: m\(n + 1)\"")) }
        await h.stop()
    }

    @Test func maxContainersIsNeverExceeded() async throws {
        let gate = Gate()
        let (h, fake) = try await harness(gate: gate) { $0.maxContainers = 2 }
        var runs: [String] = []
        for _ in 0..<5 {
            let session = try await h.createSession()
            runs.append(try await h.post("hold", to: session))
        }
        let all = runs
        try await eventually("two runs in progress") {
            var busy = 0
            for id in all where try await h.run(id).status == "in_progress" { busy += 1 }
            return busy == 2
        }
        #expect(fake.running == 2)
        var queued = 0
        for id in runs where try await h.run(id).status == "queued" { queued += 1 }
        #expect(queued == 3)
        gate.release()
        for id in runs { #expect(try await h.finished(id).status == "completed") }
        #expect(fake.peakRunning == 2)
        #expect(fake.started == 5)
        await h.stop()
    }

    @Test func anIdleContainerIsStoppedAndTheNextMessageStartsAnother() async throws {
        let (h, fake) = try await harness { $0.idleTimeout = .milliseconds(200) }
        let session = try await h.createSession()
        _ = try await h.finished(try await h.post("first", to: session))
        try await eventually("the idle container is stopped") { fake.running == 0 }
        #expect(try await h.finished(try await h.post("second", to: session)).status == "completed")
        #expect(fake.started == 2)
        await h.stop()
    }

    @Test func aHangingRunIsFailedAtItsTimeoutAndItsContainerKilled() async throws {
        let (h, fake) = try await harness { $0.runTimeout = .milliseconds(300) }
        let session = try await h.createSession()
        let run = try await h.finished(try await h.post("hang", to: session))
        #expect(run.status == "failed")
        #expect(run.error?.contains("\"code\":\"run_timeout\"") == true)
        try await eventually("the container is killed") { fake.running == 0 }
        await h.stop()
    }

    @Test func aContainerThatDiesMidRunFailsTheRunWithAClearError() async throws {
        let (h, _) = try await harness()
        let session = try await h.createSession()
        let run = try await h.finished(try await h.post("crash", to: session))
        #expect(run.status == "failed")
        #expect(run.error?.contains("container_exited") == true)
        #expect(run.error?.contains("status 3") == true)
        #expect(try await h.finished(try await h.post("after", to: session)).status == "completed")
        await h.stop()
    }

    @Test func cancellingARunStopsItsContainer() async throws {
        let (h, fake) = try await harness()
        let session = try await h.createSession()
        let id = try await startRun("hang", in: session, h)
        _ = try await h.core.write { try $0.cancelRun(id, actor: "key_test") }
        try await eventually("the container is stopped") { fake.running == 0 }
        #expect(try await h.run(id).status == "cancelled")
        #expect(try await h.finished(try await h.post("after", to: session)).status == "completed")
        await h.stop()
    }

    @Test func failedStartsAreRetriedThenFailTheRunClearly() async throws {
        let (h, fake) = try await harness { $0.startAttempts = 3 }
        let session = try await h.createSession()
        fake.failingStarts.withLock { $0 = 2 }
        #expect(try await h.finished(try await h.post("retried", to: session)).status == "completed")

        let other = try await h.createSession()
        fake.failingStarts.withLock { $0 = 3 }
        let run = try await h.finished(try await h.post("never", to: other))
        #expect(run.status == "failed")
        #expect(run.error?.contains("container_start_failed") == true)
        #expect(run.error?.contains("3 attempts") == true)
        await h.stop()
    }

    @Test func afterARestartQueuedRunsContinueInterruptedOnesFailAndOrphansGo() async throws {
        let (h, fake) = try await harness { $0.maxContainers = 1 }
        let first = try await h.createSession()
        let second = try await h.createSession()
        let interrupted = try await h.post("hang", to: first)
        try await eventually("the first run is in progress") { try await h.run(interrupted).status == "in_progress" }
        let waiting = try await h.post("queued", to: second)
        #expect(try await h.run(waiting).status == "queued")
        try await h.restart {
            fake.addOrphan(id: "orphan-1", session: first)
        }
        let failed = try await h.finished(interrupted)
        #expect(failed.status == "failed")
        #expect(failed.error?.contains("\"code\":\"interrupted\"") == true)
        #expect(try await h.finished(waiting).status == "completed")
        #expect(try await fake.labelledContainers(instance: "").isEmpty, "orphans were removed")
        await h.stop()
    }

    @Test func anAgentCannotTouchAnotherSessionsRun() async throws {
        let gate = Gate()
        let (h, fake) = try await harness(gate: gate)
        let mine = try await h.createSession()
        let theirs = try await h.createSession()
        let myRun = try await h.post("hold", to: mine)
        let theirRun = try await h.post("hold", to: theirs)
        try await eventually("both runs are in progress") {
            let a = try await h.run(myRun).status, b = try await h.run(theirRun).status
            return a == "in_progress" && b == "in_progress"
        }
        let mySocket = SocketAddress.unix(path: h.directory.path + "/sessions/\(mine)/run/agent.sock")
        for path in ["deltas", "messages", "complete"] {
            let response = await fake.post("/v1/runs/\(theirRun)/\(path)",
                                           ["text": .string("x"), "status": .string("completed")], mySocket)
            #expect(response?.status == .notFound, "\(path) on another session's run")
        }
        gate.release()
        #expect(try await h.finished(theirRun).status == "completed")
        #expect(try await h.messages(theirs).filter { $0.role == "assistant" }.count == 1)
        await h.stop()
    }

    @Test func archivingASessionCancelsItsRunStopsItsContainerAndClosesItsSockets() async throws {
        let (h, fake) = try await harness()
        let session = try await h.createSession()
        let id = try await startRun("hang", in: session, h)
        _ = try await h.core.write { try $0.archiveSession(session, actor: "key_test") }
        try await eventually("the container is stopped") { fake.running == 0 }
        #expect(try await h.run(id).status == "cancelled")
        let socket = h.directory.path + "/sessions/\(session)/run/agent.sock"
        try await eventually("the agent socket is gone") { !FileManager.default.fileExists(atPath: socket) }
        #expect(FileManager.default.fileExists(atPath: h.directory.path + "/sessions/\(session)/workspace"),
                "the workspace is kept")
        await h.stop()
    }

    /// Makes a task due a minute ago, as if its time came while nobody looked.
    func makeDue(_ task: String, _ h: SchedulerHarness, database: Database? = nil) async throws -> String {
        let past = Timestamp.format(date: Date().addingTimeInterval(-60))
        try await (database ?? h.database).write { db in
            try db.execute("UPDATE scheduled_tasks SET next_fire_at = ? WHERE id = ?", [.text(past), .text(task)])
        }
        return past
    }

    @Test func aDueTaskPostsItsPromptOnceAndAdvances() async throws {
        let (h, _) = try await harness()
        let session = try await h.createSession()
        let task = try await h.core.write {
            try $0.createTask(session: session, cron: "@hourly", timezone: "Europe/Berlin", prompt: "tick", actor: nil)
        }.record.id
        let due = try await makeDue(task, h)
        await h.service.scheduler.rescheduleTasks()
        try await eventually("the task's run is answered") {
            try await h.messages(session).contains { $0.role == "assistant" && $0.content.contains("re: tick") }
        }
        let record = try #require(try await h.core.read { try ScheduledTaskRepository($0).find(task) })
        #expect(record.lastFiredAt != nil)
        #expect((record.nextFireAt.flatMap(Timestamp.parse) ?? .distantPast) > Date())
        // The same due time cannot fire twice.
        #expect(try await h.core.write { try $0.fireTask(task, dueAt: due) } == nil)
        let prompts = try await h.messages(session).filter { $0.role == "user" }
        #expect(prompts.count == 1)
        #expect(prompts.first?.source == "schedule")
        await h.stop()
    }

    @Test func aTaskThatCameDueWhileWardenWasDownFiresOnceAfterTheRestart() async throws {
        let (h, _) = try await harness()
        let session = try await h.createSession()
        let task = try await h.core.write {
            try $0.createTask(session: session, cron: "*/5 * * * *", timezone: "UTC", prompt: "catch up", actor: nil)
        }.record.id
        try await h.restart {
            // While warden is down: its own database handle is closed.
            let offline = try Database(path: h.directory.appendingPathComponent("warden.db").path, migrations: WardenSchema.migrations)
            _ = try await self.makeDue(task, h, database: offline)
            await offline.close()
        }
        try await eventually("the missed time fires") {
            try await h.messages(session).contains { $0.role == "assistant" && $0.content.contains("re: catch up") }
        }
        try await h.restart()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await h.messages(session).filter { $0.role == "user" }.count == 1, "fired once, not again after a second restart")
        await h.stop()
    }

    @Test func aToolApprovalHoldsTheAgentUntilAPersonDecides() async throws {
        let gate = Gate()
        let (h, fake) = try await harness(gate: gate)
        let session = try await h.createSession()
        let run = try await startRun("hold", in: session, h)
        let socket = agentSocket(session, h)
        let asked = Task {
            await fake.post("/v1/runs/\(run)/approvals", ["summary": .string("rm -rf build"), "tool": .string("bash"),
                                                          "input": .object(["command": .string("rm -rf build")])], socket)
        }
        try await eventually("the approval is pending") {
            try await h.core.listApprovals(status: "pending", session: session, page: PageRequest()).items.count == 1
        }
        let pending = try await h.core.listApprovals(status: "pending", session: session, page: PageRequest()).items[0]
        #expect(pending.kind == "tool")
        #expect(pending.run_id == run)
        _ = try await h.core.write { try $0.decideApproval(pending.id, approve: true, reason: "fine", by: "key_test") }
        let answer = await asked.value
        #expect(answer?.status == .ok)
        #expect(answer?.bodyString.contains("\"decision\":\"approve\"") == true)
        gate.release()
        #expect(try await h.finished(run).status == "completed")
        await h.stop()
    }

    @Test func badAgentRequestsGetClearErrorsAndChangeNothing() async throws {
        let gate = Gate()
        let (h, fake) = try await harness(gate: gate)
        let session = try await h.createSession()
        let run = try await startRun("hold", in: session, h)
        let socket = agentSocket(session, h)
        let wait = try await fake.client.execute(ClientRequest(target: "/v1/work?wait=99"), to: socket)
        #expect(wait.status == .badRequest)
        #expect(wait.bodyString.contains("\"param\":\"wait\""))
        let cases: [(String, [String: JSONValue], String)] = [
            ("deltas", [:], "text"),
            ("messages", ["role": .string("user"), "text": .string("x")], "role"),
            ("complete", ["status": .string("done")], "status"),
            ("tool-calls", ["output": .string("x")], "name"),
        ]
        for (path, body, param) in cases {
            let response = await fake.post("/v1/runs/\(run)/\(path)", body, socket)
            #expect(response?.status == .badRequest, "\(path)")
            #expect(response?.bodyString.contains("\"param\":\"\(param)\"") == true, "\(path): \(response?.bodyString ?? "")")
        }
        #expect(try await h.run(run).status == "in_progress")
        #expect(try await h.messages(session).count == 1)
        gate.release()
        #expect(try await h.finished(run).status == "completed")
        await h.stop()
    }
}
