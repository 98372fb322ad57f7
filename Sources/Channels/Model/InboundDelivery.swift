import Foundation
import HTTP

/// One webhook request as the parsers see it, after its signature was verified: the raw body and
/// the parts of the request head some platforms put meaning in (GitHub's event name in a header,
/// WhatsApp's subscription check in the query).
public struct InboundDelivery: Sendable {
    public var method: String
    public var headers: HTTPHeaders
    /// Percent-decoded query parameters.
    public var query: [String: String]
    public var body: [UInt8]

    public init(method: String = "POST", headers: HTTPHeaders = [:], query: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.headers = headers
        self.query = query
        self.body = body
    }

    public init(method: String = "POST", headers: HTTPHeaders = [:], query: [String: String] = [:], body: String) {
        self.init(method: method, headers: headers, query: query, body: Array(body.utf8))
    }

    public init(_ request: Request) {
        self.init(method: request.method, headers: request.headers, query: request.queryParameters, body: request.body)
    }
}

/// Who Warden's bot is on a platform, so its own messages are ignored and its mention stripped.
public struct BotIdentity: Sendable, Equatable {
    /// Every id under which the platform may name the bot as an author or a mention: Slack bot
    /// user (`U…`), bot (`B…`) and app (`A…`) ids; the Telegram bot's user id; the Discord
    /// application id; the GitHub App's bot login (`warden[bot]`) and user id; the Linear app
    /// user id; the Teams bot id (`28:…`); the Google Chat `users/…` name; the WhatsApp business
    /// phone number id.
    public var ids: Set<String>
    /// Names people type after `@` to mention the bot in plain text (Telegram username, GitHub
    /// login, Linear name); matched without regard to case.
    public var handles: Set<String>

    public init(ids: Set<String> = [], handles: Set<String> = []) {
        self.ids = ids
        self.handles = handles
    }

    public func isBot(_ id: String?) -> Bool {
        guard let id else { return false }
        return ids.contains(id)
    }

    func isHandle(_ name: some StringProtocol) -> Bool {
        handles.contains { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// `@name` names the bot: one of its handles, or an id people can type (`warden[bot]`).
    func isNamed(_ name: String) -> Bool { isHandle(name) || ids.contains(name) }
}
