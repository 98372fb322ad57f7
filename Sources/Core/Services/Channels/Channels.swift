import Foundation
import Store

/// Which messages of a channel share one session (issue #7).
public enum ChannelSessionsPolicy: String, Sendable, CaseIterable {
    case thread, channel, user
}

/// What a caller asks for: a channel without its id. Fields are as received; `createChannel`
/// validates them. Platform-specific settings are checked by the Channels module before.
public struct ChannelSpec: Sendable, Equatable {
    public var platform: String
    public var name: String
    public var settings: JSONValue
    public var verificationCredentialID: String?
    public var botCredentialID: String?
    public var sessionsPolicy: String?
    public var approvers: [String]?
    /// Credential ids inside `settings` (WhatsApp's verify token), by the `param` naming them.
    public var settingsCredentialIDs: [String: String]
    /// The exchange the platform's bot credential must use (Teams and Google Chat have no fixed
    /// bot token); nil when it is sent as is.
    public var botCredentialExchange: CredentialExchangeKind?

    public init(platform: String, name: String, settings: JSONValue = .object([:]), verificationCredentialID: String? = nil,
                botCredentialID: String? = nil, sessionsPolicy: String? = nil, approvers: [String]? = nil,
                settingsCredentialIDs: [String: String] = [:], botCredentialExchange: CredentialExchangeKind? = nil) {
        self.platform = platform; self.name = name; self.settings = settings
        self.verificationCredentialID = verificationCredentialID; self.botCredentialID = botCredentialID
        self.sessionsPolicy = sessionsPolicy; self.approvers = approvers; self.settingsCredentialIDs = settingsCredentialIDs
        self.botCredentialExchange = botCredentialExchange
    }
}

/// A stored channel: a platform connection, the credentials (by id) it verifies and replies
/// with, its sessions policy and who may approve from it. Secrets never appear here.
public struct Channel: Sendable, Equatable, JSONWritable {
    public var id: String
    public var platform: String
    public var name: String
    public var settingsJSON: String
    public var verificationCredentialID: String?
    public var botCredentialID: String?
    public var sessionsPolicy: ChannelSessionsPolicy
    public var approvers: [String]
    public var createdAt: String

    public init(_ r: ChannelRecord) {
        id = r.id; platform = r.platform; name = r.name; settingsJSON = r.settings
        verificationCredentialID = r.verificationCredentialID; botCredentialID = r.botCredentialID
        // The table's CHECK admits only the three policies.
        sessionsPolicy = ChannelSessionsPolicy(rawValue: r.sessionsPolicy) ?? .thread
        approvers = (try? JSONDecoder().decode([String].self, from: Data(r.approvers.utf8))) ?? []
        createdAt = r.createdAt
    }

    public var settings: JSONValue { JSONValue.decode(settingsJSON) }

    public func write(to w: inout JSONWriter) {
        w.objectStart()
        w.key("approvers"); w.array(approvers)
        w.key("bot_credential_id", botCredentialID); w.key("created_at", createdAt); w.key("id", id)
        w.key("name", name); w.key("object", "channel"); w.key("platform", platform)
        w.key("sessions_policy", sessionsPolicy.rawValue); w.key("settings", raw: settingsJSON)
        w.key("verification_credential_id", verificationCredentialID)
        w.objectEnd()
    }
}

extension Transaction {
    /// Stores a channel after checking the fields every platform shares; an unusable one is
    /// `CoreError.invalid` naming it, and nothing is stored.
    public func createChannel(_ spec: ChannelSpec, actor: String?) throws -> Channel {
        let name = try ChannelValidation.name(spec.name)
        let policy = try ChannelValidation.sessionsPolicy(spec.sessionsPolicy)
        let approvers = try ChannelValidation.approvers(spec.approvers)
        guard case .object = spec.settings else {
            throw CoreError.invalid(param: "settings", code: "invalid_channel", message: "settings must be a JSON object.")
        }
        let named = [("verification_credential_id", spec.verificationCredentialID), ("bot_credential_id", spec.botCredentialID)]
            + spec.settingsCredentialIDs.sorted { $0.key < $1.key }.map { ($0.key, Optional($0.value)) }
        for (param, id) in named {
            guard let id else { continue }
            guard let credential = try CredentialRepository(db).find(id: id) else {
                throw CoreError.invalid(param: param, code: "credential_not_found",
                                        message: "No credential with id '\(id.prefix(64))'; create it first (POST /v1/credentials).")
            }
            if param == "bot_credential_id", let required = spec.botCredentialExchange, credential.exchange != required.rawValue {
                throw CoreError.invalid(param: param, code: "invalid_channel", message: """
                    A \(spec.platform) channel's bot credential must be exchanged for tokens: create it with                     "exchange": "\(required.rawValue)" (credential '\(id.prefix(64))' has \(credential.exchange.map { "\"\($0)\"" } ?? "none")).
                    """)
            }
        }
        let record = ChannelRecord(id: makeID(.channel), platform: spec.platform, name: name,
                                   settings: spec.settings.encodedText, verificationCredentialID: spec.verificationCredentialID,
                                   botCredentialID: spec.botCredentialID, sessionsPolicy: policy.rawValue,
                                   approvers: JSONValue.array(approvers.map(JSONValue.string)).encodedText,
                                   createdBy: actor, createdAt: now)
        try ChannelRepository(db).insert(record)
        try audit("channel.created", actor: actor, subject: record.id,
                  detail: ["platform": .string(record.platform), "name": .string(name)])
        return Channel(record)
    }

    public func deleteChannel(_ id: String, actor: String?) throws {
        let channels = ChannelRepository(db)
        guard let record = try channels.find(id) else { throw CoreError.notFound(kind: "channel", id: id) }
        _ = try channels.delete(id)
        try audit("channel.deleted", actor: actor, subject: id,
                  detail: ["platform": .string(record.platform), "name": .string(record.name)])
    }
}

extension WardenCore {
    public func channel(_ id: String) async throws -> Channel? {
        try await read { try ChannelRepository($0).find(id) }.map(Channel.init)
    }

    public func listChannels(page: PageRequest) async throws -> Page<Channel> {
        try await read { try ChannelRepository($0).list(page: page) }.map(Channel.init)
    }

    /// Forgets channel delivery ids older than 24 hours: the window in which platforms retry.
    @discardableResult
    public func sweepChannelDeliveries() async throws -> Int {
        let cutoff = Timestamp.format(date: Date(timeIntervalSinceNow: -24 * 3600))
        return try await database.write { try ChannelInboundRepository($0).deleteDeliveries(before: cutoff) }
    }
}

enum ChannelValidation {
    static func invalid(_ param: String, _ message: String) -> CoreError {
        .invalid(param: param, code: "invalid_channel", message: message)
    }

    /// Counted in code points and free of control characters, as the API schema states it.
    static func name(_ name: String) throws -> String {
        guard (1...100).contains(name.unicodeScalars.count),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw invalid("name", "name must be 1 to 100 characters without control characters.")
        }
        return name
    }

    static func sessionsPolicy(_ value: String?) throws -> ChannelSessionsPolicy {
        guard let value else { return .thread }
        guard let policy = ChannelSessionsPolicy(rawValue: value) else {
            throw invalid("sessions_policy", "sessions_policy must be thread, channel or user.")
        }
        return policy
    }

    /// Platform user ids (Slack `U…`, Telegram numbers as text, …): who may decide approvals here.
    static func approvers(_ values: [String]?) throws -> [String] {
        let values = values ?? []
        guard values.count <= 100 else { throw invalid("approvers", "approvers lists at most 100 platform user ids.") }
        var seen = Set<String>(), kept: [String] = []
        for (index, value) in values.enumerated() {
            guard (1...200).contains(value.unicodeScalars.count), value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                throw invalid("approvers[\(index)]", "An approver is a platform user id: 1 to 200 characters without spaces.")
            }
            if seen.insert(value).inserted { kept.append(value) }
        }
        return kept
    }
}
