/// Turns one verified delivery into events. Pure: no I/O, no clock, no store.
public protocol ChannelParser: Sendable {
    var platform: ChannelPlatform { get }

    /// Usually exactly one event; WhatsApp batches several messages and receipts in one delivery.
    func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent]
}

public enum ChannelParsers {
    /// The parser for `platform`. `whatsAppVerifyToken` is the channel's token for WhatsApp's
    /// GET subscription check; the other platforms ignore it.
    public static func parser(for platform: ChannelPlatform, bot: BotIdentity,
                              whatsAppVerifyToken: String? = nil) -> any ChannelParser {
        switch platform {
        case .slack: return SlackParser(bot: bot)
        case .telegram: return TelegramParser(bot: bot)
        case .discord: return DiscordParser(bot: bot)
        case .whatsapp: return WhatsAppParser(bot: bot, verifyToken: whatsAppVerifyToken)
        case .github: return GitHubParser(bot: bot)
        case .linear: return LinearParser(bot: bot)
        case .teams: return TeamsParser(bot: bot)
        case .googleChat: return GoogleChatParser(bot: bot)
        }
    }
}

extension ChannelParser {
    /// The body of a POSTed JSON webhook; platforms send every event but WhatsApp's
    /// subscription check that way.
    func postedJSON(_ delivery: InboundDelivery) throws(ParseFailure) -> PayloadReader {
        guard delivery.method == "POST" else { throw .methodNotAllowed(platform, method: delivery.method) }
        return try PayloadReader(platform: platform, json: delivery.body)
    }
}
