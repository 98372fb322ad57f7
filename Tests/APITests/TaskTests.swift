import Foundation
import Testing
@testable import API
@testable import Core
import HTTP
import Store

@Suite struct TaskTests {
    @Test func createListAndDeleteATask() async throws {
        try await withFixture { f in
            let id = try await f.post("/v1/sessions", as: f.admin, json: "{}").id
            let created = try await f.post("/v1/sessions/\(id)/tasks", as: f.admin,
                                           json: #"{"cron":"30 8 * * mon-fri","timezone":"Asia/Kolkata","prompt":"report"}"#)
            #expect(created.status == 201)
            #expect(created.json["object"]?.string == "task")
            #expect(created.json["timezone"]?.string == "Asia/Kolkata")
            #expect(created.json["last_run_at"]?.isNull == true)
            let next = try #require(created.json["next_run_at"]?.string.flatMap(Timestamp.parse))
            #expect(next > Date())
            // 08:30 in Kolkata is 03:00 UTC.
            let utc = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: next)
            #expect(utc.hour == 3 && utc.minute == 0)
            #expect(try await f.get("/v1/sessions/\(id)/tasks", as: f.admin).ids == [created.id])
            #expect(try await f.send("DELETE", "/v1/tasks/\(created.id)", as: f.admin).status == 200)
            let again = try await f.send("DELETE", "/v1/tasks/\(created.id)", as: f.admin)
            #expect(again.status == 404)
            #expect(again.errorCode == "task_not_found")
        }
    }

    @Test(arguments: [
        (#"{"cron":"61 * * * *","prompt":"x"}"#, "cron", "minute field: 61 is out of range"),
        (#"{"cron":"* * * * * *","prompt":"x"}"#, "cron", "seconds"),
        (#"{"cron":"0 0 30 2 *","prompt":"x"}"#, "cron", "never fires"),
        (#"{"cron":"@daily","timezone":"Mars/Base","prompt":"x"}"#, "timezone", "unknown time zone"),
        (#"{"cron":"@daily","prompt":""}"#, "prompt", "must not be empty"),
        (#"{"prompt":"x"}"#, "cron", "required"),
    ])
    func invalidTasksAre400WithTheirParamAndStoreNothing(body: String, param: String, message: String) async throws {
        try await withFixture { f in
            let id = try await f.post("/v1/sessions", as: f.admin, json: "{}").id
            let response = try await f.post("/v1/sessions/\(id)/tasks", as: f.admin, json: body)
            #expect(response.status == 400)
            #expect(response.errorParam == param)
            let text = response.json["error"]?["message"]?.string ?? ""
            #expect(text.contains(message), "\(text)")
            #expect(try await f.count("scheduled_tasks") == 0)
        }
    }

    @Test func aClientSeesOnlyTasksOfItsOwnSessions() async throws {
        try await withFixture { f in
            let id = try await f.post("/v1/sessions", as: f.client, json: "{}").id
            let task = try await f.post("/v1/sessions/\(id)/tasks", as: f.client, json: #"{"cron":"@hourly","prompt":"p"}"#)
            #expect(task.status == 201)
            #expect(try await f.get("/v1/sessions/\(id)/tasks", as: f.client2).status == 404)
            #expect(try await f.post("/v1/sessions/\(id)/tasks", as: f.client2, json: #"{"cron":"@hourly","prompt":"p"}"#).status == 404)
            #expect(try await f.send("DELETE", "/v1/tasks/\(task.id)", as: f.client2).status == 404)
            #expect(try await f.count("scheduled_tasks") == 1)
        }
    }
}
