/// Slack payloads as the Events API and interactivity documentation show them
/// (https://api.slack.com/events/app_mention, /events/message, /events/url_verification,
/// /reference/interaction-payloads/block-actions, /interactivity/slash-commands).
public enum SlackPayloads {
    /// Warden's bot user, bot and app ids in these payloads.
    public static let botUserID = "U0LAN0Z89"
    public static let botID = "B0LAN0Z89"
    public static let appID = "A123ABC456"

    public static let urlVerification = """
    {
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification"
    }
    """

    public static let appMention = """
    {
        "token": "XXYYZZ",
        "team_id": "T123ABC456",
        "api_app_id": "A123ABC456",
        "event": {
            "type": "app_mention",
            "user": "U061F7AUR",
            "text": "<@U0LAN0Z89> is it everything a river should be?",
            "ts": "1515449522.000016",
            "channel": "C123ABC456",
            "event_ts": "1515449522000016"
        },
        "type": "event_callback",
        "authorizations": [
            {
                "team_id": "T123ABC456",
                "user_id": "U123ABC456",
                "is_bot": false,
                "is_enterprise_install": false
            }
        ],
        "event_id": "Ev123ABC456",
        "event_time": 1515449522
    }
    """

    /// The same message as `appMention`, delivered again through `message.channels`.
    public static let messageTwin = """
    {
        "token": "XXYYZZ",
        "team_id": "T123ABC456",
        "api_app_id": "A123ABC456",
        "event": {
            "type": "message",
            "channel": "C123ABC456",
            "user": "U061F7AUR",
            "text": "<@U0LAN0Z89> is it everything a river should be?",
            "ts": "1515449522.000016",
            "event_ts": "1515449522.000016",
            "channel_type": "channel"
        },
        "type": "event_callback",
        "event_id": "Ev123ABC457",
        "event_time": 1515449522
    }
    """

    /// A reply inside a thread, in a direct message, with Slack's escaping of `<` and `&`.
    public static let threadReplyInIM = """
    {
        "team_id": "T123ABC456",
        "api_app_id": "A123ABC456",
        "event": {
            "type": "message",
            "channel": "D024BE91L",
            "user": "U2147483697",
            "text": "is 3 &lt; 4 &amp; true? ask <@W0123ABC>",
            "ts": "1355517536.000001",
            "thread_ts": "1355517523.000005",
            "event_ts": "1355517536.000001",
            "channel_type": "im"
        },
        "type": "event_callback",
        "event_id": "Ev0PV52K21",
        "event_time": 1355517536
    }
    """

    /// A message Warden's bot posted, echoed back by `message.channels`.
    public static let ownMessage = """
    {
        "team_id": "T123ABC456",
        "api_app_id": "A123ABC456",
        "event": {
            "type": "message",
            "subtype": "bot_message",
            "text": "Here is the answer.",
            "ts": "1515449530.000100",
            "username": "Warden",
            "bot_id": "B0LAN0Z89",
            "app_id": "A123ABC456",
            "channel": "C123ABC456",
            "event_ts": "1515449530.000100",
            "channel_type": "channel"
        },
        "type": "event_callback",
        "event_id": "Ev123ABC458",
        "event_time": 1515449530
    }
    """

    public static let messageChanged = """
    {
        "team_id": "T123ABC456",
        "event": {
            "type": "message",
            "subtype": "message_changed",
            "hidden": true,
            "channel": "C123ABC456",
            "ts": "1358878755.000001",
            "message": {"type": "message", "user": "U2147483697", "text": "Hello, world!", "ts": "1355517523.000005",
                        "edited": {"user": "U2147483697", "ts": "1358878755.000001"}}
        },
        "type": "event_callback",
        "event_id": "Ev123ABC459",
        "event_time": 1358878755
    }
    """

    public static let reactionAdded = """
    {
        "team_id": "T123ABC456",
        "event": {
            "type": "reaction_added",
            "user": "U123ABC456",
            "reaction": "thumbsup",
            "item_user": "U222222222",
            "item": {"type": "message", "channel": "C123ABC456", "ts": "1360782400.498405"},
            "event_ts": "1360782804.083113"
        },
        "type": "event_callback",
        "event_id": "Ev123ABC460",
        "event_time": 1360782804
    }
    """

    public static func blockActions(actionID: String) -> String {
        """
        {
            "type": "block_actions",
            "user": {"id": "U123ABC456", "username": "spengler", "name": "spengler", "team_id": "T123ABC456"},
            "api_app_id": "A123ABC456",
            "token": "9s8d9as89d8as9d8as989",
            "container": {"type": "message", "message_ts": "1548261231.000200", "channel_id": "C123ABC456", "is_ephemeral": false},
            "trigger_id": "12466734323.1395872398.1ed2a0e7a2d7d0b2f8d9c9d1d5dbaf0a",
            "team": {"id": "T123ABC456", "domain": "ghostbusters"},
            "enterprise": null,
            "is_enterprise_install": false,
            "channel": {"id": "C123ABC456", "name": "review-updates"},
            "message": {"bot_id": "B0LAN0Z89", "type": "message", "text": "Approval requested", "user": "U0LAN0Z89",
                        "ts": "1548261231.000200", "team": "T123ABC456", "blocks": []},
            "state": {"values": {}},
            "response_url": "https://hooks.slack.com/actions/T123ABC456/1234567890/abcd1234",
            "actions": [{"action_id": "\(actionID)", "block_id": "approval", "text": {"type": "plain_text", "text": "Approve", "emoji": true},
                         "value": "apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8", "style": "primary", "type": "button", "action_ts": "1548426417.840180"}]
        }
        """
    }

    public static func slashCommand(command: String, text: String) -> [(String, String)] {
        [("token", "gIkuvaNzQIHg97ATvDxqgjtO"), ("team_id", "T0001"), ("team_domain", "example"),
         ("enterprise_id", "E0001"), ("enterprise_name", "Globular Construct Inc"), ("channel_id", "C2147483705"),
         ("channel_name", "test"), ("user_id", "U2147483697"), ("user_name", "Steve"), ("command", command),
         ("text", text), ("response_url", "https://hooks.slack.com/commands/1234/5678"),
         ("trigger_id", "13345224609.738474920.8088930838d88f008e0"), ("api_app_id", "A123456")]
    }
}
