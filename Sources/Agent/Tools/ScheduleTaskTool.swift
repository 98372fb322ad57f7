/// `schedule_task`: a prompt this session receives on a cron schedule.
struct ScheduleTaskTool: Tool {
    let definition = ToolDefinition(
        name: "schedule_task",
        description: """
            Schedules a prompt to be sent to this session on a cron schedule (five fields: \
            minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5" for 09:00 on weekdays.
            """,
        inputSchema: [
            "type": "object",
            "properties": [
                "cron": ["type": "string", "description": "Cron expression, five fields."],
                "timezone": ["type": "string", "description": "IANA time zone, e.g. Europe/Berlin; default UTC."],
                "prompt": ["type": "string", "description": "What the session is asked each time."],
            ],
            "required": ["cron", "prompt"],
        ])

    func run(_ input: ToolInput, context: ToolContext) async throws(ToolFailure) -> ToolOutcome {
        let cron = try input.string("cron")
        let prompt = try input.string("prompt")
        let timezone = try input.optionalString("timezone") ?? "UTC"
        let task: JSONValue
        do {
            task = try await context.warden.createTask(cron: cron, timezone: timezone, prompt: prompt)
        } catch {
            throw ToolFailure(error, doing: "Scheduling the task")
        }
        let id = task["id"]?.stringValue ?? "(no id)"
        return ToolOutcome(output: "Scheduled task \(id): \"\(cron)\" in \(timezone).")
    }
}
