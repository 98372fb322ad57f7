import Core
import Foundation
import HTTP
import Store
import Testing
import TestSupport
@testable import Scheduler

/// A real store, a real core and the real scheduler with its sockets, on a temporary data
/// directory, driving whatever `ContainerRuntime` the test gives it.
final class SchedulerHarness: @unchecked Sendable {
    let directory: URL
    let group: EventLoopGroup
    var database: Database
    var core: WardenCore
    var service: SchedulerService
    let runtime: any ContainerRuntime
    let configure: @Sendable (inout SchedulerConfiguration) -> Void

    init(directory: URL? = nil, runtime: (EventLoopGroup) -> any ContainerRuntime,
         configure: @escaping @Sendable (inout SchedulerConfiguration) -> Void = { _ in }) async throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("warden-sched-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        group = try EventLoopGroup(loopCount: 2)
        self.runtime = runtime(group)
        self.configure = configure
        (database, core, service) = try await Self.boot(directory: self.directory, runtime: self.runtime, group: group,
                                                        configure: configure)
    }

    private static func boot(directory: URL, runtime: any ContainerRuntime, group: EventLoopGroup,
                             configure: @Sendable (inout SchedulerConfiguration) -> Void) async throws
        -> (Database, WardenCore, SchedulerService) {
        let database = try Database(path: directory.appendingPathComponent("warden.db").path,
                                    migrations: WardenSchema.migrations)
        let core = WardenCore(database: database)
        var configuration = SchedulerConfiguration(dataDirectory: directory, instanceID: try await core.instanceID())
        configuration.idleTimeout = .seconds(30)
        configuration.runTimeout = .seconds(30)
        configuration.startBackoff = .milliseconds(20)
        configure(&configuration)
        let service = SchedulerService(core: core, runtime: runtime, configuration: configuration, group: group,
                                       proxy: NoProxy())
        await service.start()
        return (database, core, service)
    }

    /// Stops warden (scheduler, sockets, database) and starts it again on the same data directory.
    func restart(beforeStart: () async throws -> Void = {}) async throws {
        await service.shutdown(grace: .milliseconds(200))
        await database.close()
        try await beforeStart()
        (database, core, service) = try await Self.boot(directory: directory, runtime: runtime, group: group, configure: configure)
    }

    func stop() async {
        await service.shutdown(grace: .milliseconds(200))
        await database.close()
        group.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: driving it

    func createSession(agent: JSONValue? = nil) async throws -> String {
        try await core.write { try $0.createSession(SessionInput(title: "test", agent: agent), owner: "key_test") }.id
    }

    /// Posts a user message; returns the run it queued.
    func post(_ text: String, to session: String) async throws -> String {
        try await core.write { try $0.postMessage(IncomingMessage(content: [ContentBlock(text: text)]), to: session) }.1.id
    }

    func run(_ id: String) async throws -> RunRecord {
        try #require(try await core.runRecord(id))
    }

    /// Waits until the run reaches a final status and returns it.
    func finished(_ id: String, within seconds: Double = 15) async throws -> RunRecord {
        try await eventually(within: seconds, "run \(id) finishes") {
            RunStatus(rawValue: try await self.run(id).status)?.isFinal == true
        }
        return try await run(id)
    }

    func messages(_ session: String) async throws -> [MessageRecord] {
        try await core.read { try MessageRepository($0).list(session: session, page: PageRequest(limit: 100, descending: false)).items }
    }

    func events(_ session: String) async throws -> [EventRecord] {
        try await core.read { try EventRepository($0).after(session: session, sessionSeq: 0, limit: 1000) }
    }
}

/// Stands in for the credential proxy on proxy.sock.
struct NoProxy: HTTPHandler {
    func handle(_ request: Request) -> HandlerResult { .response(.text("no proxy in this test", status: .notImplemented)) }
}
