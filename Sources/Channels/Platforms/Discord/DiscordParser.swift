import Core

/// Discord interactions delivered to the app's Interactions Endpoint URL: PING, slash commands
/// and button clicks. https://discord.com/developers/docs/interactions/receiving-and-responding
public struct DiscordParser: ChannelParser {
    public let platform = ChannelPlatform.discord
    let bot: BotIdentity

    public init(bot: BotIdentity) { self.bot = bot }

    /// Discord's interaction types.
    enum InteractionType: Int64 {
        case ping = 1, applicationCommand = 2, messageComponent = 3, autocomplete = 4, modalSubmit = 5
    }

    public func parse(_ delivery: InboundDelivery) throws(ParseFailure) -> [InboundEvent] {
        let interaction = try postedJSON(delivery)
        guard let rawType = interaction.int("type") else { throw interaction.missing("type") }
        switch InteractionType(rawValue: rawType) {
        case .ping: return [.handshake(.json(#"{"type":1}"#))]
        case .applicationCommand: return [try parseCommand(interaction)]
        case .messageComponent: return [try parseComponent(interaction)]
        case .autocomplete, .modalSubmit, nil: return [.ignored(.unsupported("interaction type \(rawType)"))]
        }
    }

    private func parseCommand(_ interaction: PayloadReader) throws(ParseFailure) -> InboundEvent {
        let id = try interaction.requiredString("id")
        let author = try Self.author(interaction)
        if bot.isBot(author.id) { return .ignored(.ownMessage) }
        let name = try interaction.requiredString("data.name")
        let options = Self.optionValues(interaction.value["data"]?["options"])
        let raw: String
        if options.isEmpty || ApprovalDecision(rawValue: name) != nil {
            // `/approve id:apr_… reason:…` reads as the text command; a bare `/name` is its own text.
            raw = (["/\(name)"] + options).joined(separator: " ")
        } else {
            // `/ask prompt:…`: the options are what the person said.
            raw = options.joined(separator: " ")
        }
        let mentioned = MentionText.angleMentionIDs(in: raw)
        return .fromMessage(ChannelMessage(
            deliveryID: id, messageID: id,
            thread: try thread(interaction),
            author: author,
            text: MentionText.removingAngleMentions(of: bot.ids, from: raw).trimmingWhitespace(),
            mentions: mentioned.filter { !bot.isBot($0) },
            // A slash command is addressed to the app by definition.
            mentionsBot: true,
            isDirect: interaction["guild_id"] == nil))
    }

    private func parseComponent(_ interaction: PayloadReader) throws(ParseFailure) -> InboundEvent {
        let id = try interaction.requiredString("id")
        let customID = try interaction.requiredString("data.custom_id")
        guard let command = ApprovalCommand.parseButton(customID) else { return .ignored(.unknownAction(customID)) }
        let thread = try thread(interaction)
        return .approvalAction(ApprovalAction(
            approvalID: command.approvalID, decision: command.decision,
            actor: try Self.author(interaction), thread: thread, deliveryID: id,
            card: .discord(channelID: thread.conversationID, messageID: try interaction.requiredString("message.id"),
                           interaction: DiscordInteractionRef(
                               applicationID: try interaction.requiredString("application_id"),
                               interactionID: id, token: try interaction.requiredString("token")))))
    }

    private func thread(_ interaction: PayloadReader) throws(ParseFailure) -> ThreadRef {
        guard let channel = interaction.text("channel_id") ?? interaction.text("channel.id") else {
            throw interaction.missing("channel_id")
        }
        return ThreadRef(platform: platform, workspaceID: interaction.text("guild_id"), conversationID: channel)
    }

    /// In a server the user comes inside `member`; in a DM it is `user`.
    private static func author(_ interaction: PayloadReader) throws(ParseFailure) -> ChannelAuthor {
        guard let user = interaction.object("member.user") ?? interaction.object("user") else {
            throw interaction.missing("member.user")
        }
        return ChannelAuthor(
            id: try user.requiredString("id"),
            displayName: interaction.text("member.nick") ?? user.text("global_name") ?? user.text("username"),
            isBot: user.bool("bot") ?? false)
    }

    /// The option values in order, subcommands flattened.
    private static func optionValues(_ options: JSONValue?) -> [String] {
        guard case .array(let items)? = options else { return [] }
        return items.flatMap { item -> [String] in
            switch item["value"] {
            case .string(let s)?: return [s]
            case .integer(let i)?: return [String(i)]
            case .number(let n)?: return ["\(n)"]
            case .bool(let b)?: return [String(b)]
            default: return optionValues(item["options"])
            }
        }
    }
}
