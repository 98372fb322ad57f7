import Foundation
import Store

/// A prompt posted to its session on a cron schedule in an IANA time zone.
public struct ScheduledTask: Sendable, Equatable, JSONWritable {
    public var record: ScheduledTaskRecord

    public init(_ record: ScheduledTaskRecord) { self.record = record }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("created_at", record.createdAt); w.key("cron", record.cron); w.key("id", record.id)
        w.key("last_run_at", record.lastFiredAt); w.key("next_run_at", record.nextFireAt); w.key("object", "task")
        w.key("prompt", record.prompt); w.key("session_id", record.sessionID); w.key("timezone", record.timezone)
        w.objectEnd()
    }
}

extension Transaction {
    /// Creates a task on a live session. The schedule is checked here, so a task in the store
    /// always has a valid expression and zone.
    public func createTask(session: String, cron: String, timezone: String, prompt: String, actor: String?,
                           visibleTo owner: String? = nil) throws -> ScheduledTask {
        guard let record = try SessionRepository(db).find(session), owner == nil || record.ownerKeyID == owner else {
            throw CoreError.notFound(kind: "session", id: session)
        }
        guard record.status != SessionStatus.archived.rawValue else {
            throw CoreError.conflict(code: "session_archived", message: "Session \(session) is archived; tasks cannot be added to it.")
        }
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(expression: cron, timeZone: timezone)
        } catch {
            if case .unknownTimeZone = error { throw CoreError.invalid(param: "timezone", code: "invalid_timezone", message: error.description) }
            throw CoreError.invalid(param: "cron", code: "invalid_cron", message: error.description)
        }
        guard let next = schedule.nextFireDate(after: Date()) else {
            throw CoreError.invalid(param: "cron", code: "invalid_cron", message: "'\(cron)' never fires (no such date).")
        }
        let task = ScheduledTaskRecord(id: makeID(.task), sessionID: session, cron: cron, timezone: timezone, prompt: prompt,
                                       nextFireAt: Timestamp.format(date: next), createdBy: actor, createdAt: now)
        try ScheduledTaskRepository(db).insert(task)
        try audit("task.created", actor: actor, session: session, subject: task.id, detail: ["cron": .string(cron)])
        signal(.tasksChanged)
        return ScheduledTask(task)
    }

    public func deleteTask(_ id: String, actor: String?, visibleTo owner: String? = nil) throws {
        let tasks = ScheduledTaskRepository(db)
        guard let task = try tasks.find(id), try visible(task, to: owner) else { throw CoreError.notFound(kind: "task", id: id) }
        _ = try tasks.delete(id)
        try audit("task.deleted", actor: actor, session: task.sessionID, subject: id)
        signal(.tasksChanged)
    }

    /// Posts the prompt of a task that is due at `dueAt` and advances it to its next time, in one
    /// transaction: a due time fires once, whatever crashes or restarts around it. Nil if another
    /// firing already consumed it or the task is gone.
    public func fireTask(_ id: String, dueAt: String) throws -> Run? {
        let tasks = ScheduledTaskRepository(db)
        guard let task = try tasks.find(id), task.nextFireAt == dueAt else { return nil }
        let schedule = try? CronSchedule(expression: task.cron, timeZone: task.timezone)
        // Missed times (warden was down) are not replayed one by one: the task fires once now.
        let next = schedule?.nextFireDate(after: Date()).map(Timestamp.format(date:))
        guard try tasks.advance(id, from: dueAt, to: next, firedAt: now) else { return nil }
        let message = IncomingMessage(content: [ContentBlock(text: task.prompt)], source: "schedule", author: id)
        do {
            return try postMessage(message, to: task.sessionID).1
        } catch CoreError.conflict {
            return nil // the session was archived meanwhile
        }
    }

    private func visible(_ task: ScheduledTaskRecord, to owner: String?) throws -> Bool {
        guard let owner else { return true }
        return try SessionRepository(db).find(task.sessionID)?.ownerKeyID == owner
    }
}

extension WardenCore {
    public func listTasks(session: String, page: PageRequest) async throws -> Page<ScheduledTask> {
        try await read { try ScheduledTaskRepository($0).list(session: session, page: page) }.map(ScheduledTask.init)
    }

    /// Tasks due now, and when the next one is due.
    public func dueTasks() async throws -> (due: [ScheduledTaskRecord], next: String?) {
        let now = Timestamp.now()
        return try await read { db in
            let repo = ScheduledTaskRepository(db)
            return (try repo.due(at: now), try repo.nextDue())
        }
    }
}
