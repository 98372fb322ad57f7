import ArgumentParser
import Foundation

/// `warden approvals`: the approvals queue of a running server, from a terminal.
struct Approvals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, approve and deny approvals on a running server.",
        discussion: """
            Talks to the server's REST API, so a decision releases the request it holds at once. \
            The API key comes from $WARDEN_KEY or --key-file (an approver or admin key decides; an \
            operator key may list and show).
            """,
        subcommands: [List.self, Show.self, Approve.self, Deny.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List approvals, newest first: id, status, kind, session, expires_at, summary.")

        @Option(help: "Only approvals with this status: pending, approved, denied, expired or cancelled.")
        var status: String?

        @Option(help: ArgumentHelp("Only approvals of this session.", valueName: "ses_…"))
        var session: String?

        @Option(help: "At most this many, 1 to 100 (default 20).")
        var limit: Int?

        @Option(help: ArgumentHelp("Continue after this approval (the last one of the previous page).", valueName: "apr_…"))
        var after: String?

        @Flag(help: "Print the API's JSON page as is.")
        var json = false

        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await reportingFailures {
                let body = try await ServerAPI.using(server) { api in
                    try await api.get("/v1/approvals", query: [
                        ("status", status), ("session_id", session), ("limit", limit.map(String.init)),
                        ("after", after), ("order", "desc"),
                    ])
                }
                if json { return printRaw(body) }
                let page = try decode(ApprovalPage.self, from: body, server: server)
                if page.data.isEmpty { print("no approvals") }
                for approval in page.data { print(approval.line) }
                if page.hasMore, let last = page.lastId {
                    // On stderr, so that stdout stays one approval per line for scripts.
                    FileHandle.standardError.write(Data("more approvals: repeat with --after \(last)\n".utf8))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one approval and the request it holds.")

        @Argument(help: ArgumentHelp("The approval's id.", valueName: "apr_…"))
        var id: String

        @Flag(help: "Print the API's JSON as is.")
        var json = false

        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await reportingFailures {
                let body = try await ServerAPI.using(server) { api in
                    try await api.get("/v1/approvals/\(ServerAPI.encoded(id))")
                }
                if json { return printRaw(body) }
                print(try decode(Approval.self, from: body, server: server).block)
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a pending approval: the held request goes out as it was.")
        @OptionGroup var decision: DecisionOptions
        func run() async throws { try await reportingFailures { try await decision.send("approve") } }
    }

    struct Deny: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deny a pending approval: the agent gets a 403 with the reason.")
        @OptionGroup var decision: DecisionOptions
        func run() async throws { try await reportingFailures { try await decision.send("deny") } }
    }
}

/// What `approve` and `deny` share; they differ only in the decision they send.
struct DecisionOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The approval's id.", valueName: "apr_…"))
    var id: String

    @Option(help: "Why, for the audit trail (and, on deny, for the agent). Up to 1000 characters.")
    var reason: String?

    @Flag(help: "Print the API's JSON (the decided approval) as is.")
    var json = false

    @OptionGroup var server: ServerOptions

    func send(_ decision: String) async throws {
        var input: [String: Any] = ["decision": decision]
        if let reason { input["reason"] = reason }
        let body = try await ServerAPI.using(server) { api in
            try await api.post("/v1/approvals/\(ServerAPI.encoded(id))/decision", json: input)
        }
        if json { return printRaw(body) }
        // The status the server recorded, not the one asked for: that is what happened.
        let approval = try decode(Approval.self, from: body, server: server)
        print("\(approval.status) \(approval.id): \(Terminal.safe(approval.summary))")
    }
}

/// Prints a response body unchanged, ending in one newline.
private func printRaw(_ body: [UInt8]) {
    let text = String(decoding: body, as: UTF8.self)
    print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
}

private func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], server options: ServerOptions) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    do {
        return try decoder.decode(type, from: Data(body))
    } catch {
        throw CommandFailure.unexpectedAnswer(server: try options.server(), detail: "\(error)")
    }
}
