import Core
import CredentialProxy
import Foundation
import HTTP
import Store
import TestSupport
import Testing
@testable import Webhooks

/// Deliveries and the dispatcher's cursor live in the database: a restart resumes what was
/// pending and delivers what was committed while the service was down, without repeats.
@Suite struct WebhookDurabilityTests {
    @Test func pendingDeliveriesAndEventsFromTheDowntimeAreDeliveredAfterARestart() async throws {
        try await WebhookHarness.with { first in
            let receiver = try first.receiver(answers: [Receiver.answer(503, headers: ["Retry-After": "3600"])])
            let webhook = try await first.createWebhook(url: receiver.url, events: [.runCompleted])
            let session = try await first.session()
            try await first.finishRun(in: session)
            try await eventually("the first attempt is recorded") {
                try await first.deliveries(webhook.id).first?.attempts == 1
            }
            let pending = try #require(try await first.deliveries(webhook.id).first)
            #expect(pending.status == "pending")

            // Warden is down: a run completes (as `warden` would record it after a restart, or
            // another process writing the same database), and the hour passes.
            let down = try await first.restarted(start: false)
            try await down.finishRun(in: session)
            _ = try await down.core.database.write { db in
                try db.execute("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?",
                               [.text(Timestamp.now()), .text(pending.id)])
            }

            let second = try await down.restarted(start: false)
            let receiverAgain = try second.receiver()
            // The endpoint moved to a new port meanwhile; its URL is only read at each attempt.
            _ = try await second.core.database.write { db in
                try db.execute("UPDATE webhooks SET url = ? WHERE id = ?", [.text(receiverAgain.url), .text(webhook.id)])
            }
            try await second.start()
            let deliveries = try await second.settled(webhook.id, count: 2)
            #expect(deliveries.map(\.status) == ["delivered", "delivered"])
            #expect(deliveries[0].id == pending.id && deliveries[0].attempts == 2, "the pending one resumed")
            #expect(deliveries[1].attempts == 1, "the run completed while down was delivered")
            #expect(receiverAgain.requests.map { $0.headers["webhook-id"] } == deliveries.map(\.id))
            #expect(receiverAgain.requests.allSatisfy { hasValidSignature($0, secret: webhook.secret) })
            await second.stop()
        }
    }

    /// The cursor moves in the write that stores the deliveries; a second pass (a restart)
    /// over the same events stores nothing again.
    @Test func theCursorMakesARestartRepeatNothing() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver()
            let webhook = try await h.createWebhook(url: receiver.url, events: [.runCompleted, .runFailed])
            let session = try await h.session()
            try await h.finishRun(in: session)
            try await h.finishRun(in: session, status: .failed)
            _ = try await h.settled(webhook.id, count: 2)
            let (cursor, last) = try await h.core.read { db in
                (try WebhookDeliveryRepository(db).dispatchedThrough(), try EventRepository(db).lastSeq())
            }
            #expect(cursor == last)

            let again = try await h.restarted()
            let receiverAgain = try again.receiver()
            _ = try await again.core.database.write { db in
                try db.execute("UPDATE webhooks SET url = ? WHERE id = ?", [.text(receiverAgain.url), .text(webhook.id)])
            }
            try await again.finishRun(in: session)
            let deliveries = try await again.settled(webhook.id, count: 3)
            #expect(deliveries.map(\.status) == ["delivered", "delivered", "delivered"])
            #expect(receiver.requests.count == 2)
            #expect(receiverAgain.requests.map { $0.headers["webhook-id"] } == [deliveries[2].id], "only the new event")
            await again.stop()
        }
    }

    /// A database that had events before this migration: the cursor starts after them, so an
    /// upgrade does not replay history (no webhook existed to want it).
    @Test func theMigrationStartsTheCursorAfterExistingEvents() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-webhooks-\(UUID().uuidString.prefix(12))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/warden.db"
        let before = WardenSchema.migrations.filter { $0.version < 5 }
        let old = try Database(path: path, configuration: Database.Configuration(logger: quietLogger), migrations: before)
        _ = try await old.write { db in
            try EventRepository(db).append(id: "evt_1", sessionID: "ses_1", sessionSeq: 1, type: "run.completed", data: "{}",
                                           createdAt: Timestamp.now())
        }
        await old.close()
        let upgraded = try Database(path: path, configuration: Database.Configuration(logger: quietLogger),
                                    migrations: WardenSchema.migrations)
        let cursor = try await upgraded.read { try WebhookDeliveryRepository($0).dispatchedThrough() }
        #expect(cursor == 1)
        await upgraded.close()
    }

    /// Deleting a webhook drops its pending deliveries, and later events make none for it.
    @Test func aDeletedWebhookGetsNothingMore() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver(answers: [Receiver.answer(503, headers: ["Retry-After": "3600"])])
            let control = try h.receiver()
            let deleted = try await h.createWebhook(url: receiver.url, events: [.runCompleted])
            let kept = try await h.createWebhook(url: control.url, events: [.runCompleted])
            let session = try await h.session()
            try await h.finishRun(in: session)
            try await eventually("the first attempt is recorded") {
                try await h.deliveries(deleted.id).first?.attempts == 1
            }
            try await h.core.write { tx in try tx.deleteWebhook(deleted.id, actor: "key_admin") }
            #expect(try await h.deliveries(deleted.id).isEmpty, "its pending delivery went with it")

            try await h.finishRun(in: session)
            _ = try await h.settled(kept.id, count: 2) // the dispatcher has seen the second run
            let rows = try await h.core.read { db in
                try db.queryOne("SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = ?", [.text(deleted.id)])?
                    .get("n") as Int64?
            }
            #expect(rows == 0)
            #expect(receiver.requests.count == 1)
        }
    }

    /// A webhook receives what happens after it exists, not the events before it.
    @Test func eventsBeforeAWebhookExistedAreNotSent() async throws {
        try await WebhookHarness.with { h in
            let receiver = try h.receiver()
            let session = try await h.session()
            let earlier = try await h.finishRun(in: session)
            let webhook = try await h.createWebhook(url: receiver.url, events: [.runCompleted])
            let later = try await h.finishRun(in: session)
            _ = try await h.settled(webhook.id, count: 1)
            let body = String(decoding: try #require(receiver.requests.first).body, as: UTF8.self)
            #expect(body.contains(later) && !body.contains(earlier))
        }
    }

    /// Warden started with another master key refuses to start rather than fail every delivery.
    @Test func aSecretThatDoesNotOpenStopsStartUp() async throws {
        try await WebhookHarness.with(start: false) { h in
            let webhook = try await h.createWebhook(url: "https://example.com/hooks", events: [.runCompleted])
            let other = WebhookService(core: h.core, sealer: Vault(masterKey: .random()), group: h.group, logger: quietLogger)
            do {
                try await other.start()
                Issue.record("started with the wrong master key")
            } catch let error as WebhookServiceError {
                #expect(error == .secretDoesNotOpen(webhook: webhook.id, reason: "\(VaultError.masterKeyMismatch(credential: "webhook \(webhook.id)", source: .provided))"))
            }
        }
    }
}
