/// Telegram `Update` objects as the Bot API documents them (https://core.telegram.org/bots/api#update,
/// #message, #callbackquery, #messageentity).
public enum TelegramPayloads {
    public static let botUserID = "7000000001"
    public static let botUsername = "WardenBot"

    /// A group message mentioning the bot, replying to an earlier message.
    public static let groupMention = """
    {
        "update_id": 646911460,
        "message": {
            "message_id": 2241,
            "from": {"id": 1111111, "is_bot": false, "first_name": "Ada", "last_name": "Lovelace",
                     "username": "ada", "language_code": "en"},
            "chat": {"id": -1001234567890, "title": "Ops", "type": "supergroup"},
            "date": 1700000000,
            "reply_to_message": {
                "message_id": 2240,
                "from": {"id": 2222222, "is_bot": false, "first_name": "Grace"},
                "chat": {"id": -1001234567890, "title": "Ops", "type": "supergroup"},
                "date": 1699999990,
                "text": "the deploy failed"
            },
            "text": "@WardenBot why did it fail? cc @grace",
            "entities": [
                {"offset": 0, "length": 10, "type": "mention"},
                {"offset": 32, "length": 6, "type": "mention"}
            ]
        }
    }
    """

    /// A private chat, in a forum-less chat: the chat is the thread.
    public static let privateMessage = """
    {
        "update_id": 646911461,
        "message": {
            "message_id": 17,
            "from": {"id": 1111111, "is_bot": false, "first_name": "Ada", "username": "ada"},
            "chat": {"id": 1111111, "first_name": "Ada", "username": "ada", "type": "private"},
            "date": 1700000100,
            "text": "hello 👋🏽"
        }
    }
    """

    /// A message in a forum topic: every message in the topic replies to the topic's first message.
    public static let topicMessage = """
    {
        "update_id": 646911462,
        "message": {
            "message_id": 90,
            "message_thread_id": 77,
            "is_topic_message": true,
            "from": {"id": 1111111, "is_bot": false, "first_name": "Ada"},
            "chat": {"id": -1009876543210, "title": "Team", "type": "supergroup", "is_forum": true},
            "date": 1700000200,
            "reply_to_message": {"message_id": 77, "date": 1690000000,
                                 "chat": {"id": -1009876543210, "type": "supergroup"},
                                 "forum_topic_created": {"name": "Deploys", "icon_color": 7322096}},
            "text": "/ask@WardenBot status of prod"
        }
    }
    """

    public static let editedMessage = """
    {
        "update_id": 646911463,
        "edited_message": {
            "message_id": 17,
            "from": {"id": 1111111, "is_bot": false, "first_name": "Ada"},
            "chat": {"id": 1111111, "type": "private"},
            "date": 1700000100,
            "edit_date": 1700000150,
            "text": "hello again"
        }
    }
    """

    public static let photoWithoutCaption = """
    {
        "update_id": 646911464,
        "message": {
            "message_id": 18,
            "from": {"id": 1111111, "is_bot": false, "first_name": "Ada"},
            "chat": {"id": 1111111, "type": "private"},
            "date": 1700000300,
            "photo": [{"file_id": "AgADBAAD", "file_unique_id": "AQAD", "width": 90, "height": 51, "file_size": 1101}]
        }
    }
    """

    public static func callbackQuery(data: String) -> String {
        """
        {
            "update_id": 646911465,
            "callback_query": {
                "id": "4382bfdwdsb323b2d9",
                "from": {"id": 1111111, "is_bot": false, "first_name": "Ada", "username": "ada"},
                "message": {
                    "message_id": 2250,
                    "from": {"id": 7000000001, "is_bot": true, "first_name": "Warden", "username": "WardenBot"},
                    "chat": {"id": -1001234567890, "title": "Ops", "type": "supergroup"},
                    "date": 1700000400,
                    "text": "Approval requested: POST api.github.com/repos/acme/app/pulls",
                    "reply_markup": {"inline_keyboard": [[
                        {"text": "Approve", "callback_data": "approve:apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"},
                        {"text": "Deny", "callback_data": "deny:apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"}
                    ]]}
                },
                "chat_instance": "-5383004327845238425",
                "data": "\(data)"
            }
        }
        """
    }
}
