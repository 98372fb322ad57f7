/// Slack's interactive payloads: a click on an approval card's button arrives as `block_actions`.
/// https://api.slack.com/reference/interaction-payloads/block-actions
struct SlackInteractionParser {
    let bot: BotIdentity

    func parse(_ payload: PayloadReader) throws(ParseFailure) -> InboundEvent {
        let type = try payload.requiredString("type")
        guard type == "block_actions" else { return .ignored(.unsupported(type)) }
        guard let action = payload.objects("actions").first else { throw payload.missing("actions") }
        let actionID = try action.requiredString("action_id")
        guard let command = ApprovalCommand.parseButton(actionID) else { return .ignored(.unknownAction(actionID)) }

        let userID = try payload.requiredString("user.id")
        guard let channel = payload.text("container.channel_id") ?? payload.text("channel.id") else {
            throw payload.missing("container.channel_id")
        }
        guard let messageTS = payload.text("container.message_ts") ?? payload.text("message.ts") else {
            throw payload.missing("container.message_ts")
        }
        let threadTS = payload.text("container.thread_ts") ?? payload.text("message.thread_ts")
        return .approvalAction(ApprovalAction(
            approvalID: command.approvalID, decision: command.decision,
            actor: ChannelAuthor(id: userID, displayName: payload.text("user.name") ?? payload.text("user.username")),
            thread: ThreadRef(platform: .slack, workspaceID: payload.text("team.id") ?? payload.text("user.team_id"),
                              conversationID: channel, threadID: threadTS ?? messageTS),
            // Slack does not retry interactions; the trigger id is unique per click.
            deliveryID: payload.text("trigger_id"),
            card: .slack(channelID: channel, messageTS: messageTS, responseURL: payload.text("response_url"))))
    }
}

/// Slash commands: `/approve apr_…` and `/deny apr_…` decide; any other command Warden is
/// registered for is a message to the agent. https://api.slack.com/interactivity/slash-commands
struct SlackSlashCommandParser {
    func parse(_ form: [String: String]) throws(ParseFailure) -> InboundEvent {
        func required(_ name: String) throws(ParseFailure) -> String {
            guard let value = form[name], !value.isEmpty else { throw .missingField(.slack, field: name) }
            return value
        }
        let command = try required("command")
        let text = (form["text"] ?? "").trimmingWhitespace()
        let channel = try required("channel_id")
        let triggerID = try required("trigger_id")
        let message = ChannelMessage(
            // Slack does not retry slash commands; the trigger id is unique per invocation.
            deliveryID: triggerID, messageID: triggerID,
            thread: ThreadRef(platform: .slack, workspaceID: form["team_id"], conversationID: channel),
            author: ChannelAuthor(id: try required("user_id"), displayName: form["user_name"]),
            text: text.isEmpty ? command : text,
            mentionsBot: true,
            isDirect: channel.hasPrefix("D"))
        if let decision = ApprovalDecision(rawValue: String(command.dropFirst())) {
            var asTyped = message
            asTyped.text = ApprovalCommand.text(decision, approvalID: text)
            let event = InboundEvent.fromMessage(asTyped)
            if case .approvalAction = event { return event }
            return .ignored(.unknownAction("\(command) \(text)"))
        }
        return .fromMessage(message)
    }
}
