/// Google Chat interaction events as an HTTP Chat app receives them
/// (https://developers.google.com/workspace/chat/api/reference/rest/v1/Event).
public enum GoogleChatPayloads {
    public static let botName = "users/98765432109876543210"

    public static let space = #"{"name": "spaces/AAAAAAAAAAA", "displayName": "Chuck Norris Discussion Room", "type": "ROOM", "spaceType": "SPACE"}"#
    public static let user = #"{"name": "users/12345678901234567890", "displayName": "Chris Corgi", "avatarUrl": "https://lh3.googleusercontent.com/a/photo.jpg", "email": "chriscorgi@example.com", "type": "HUMAN", "domainId": "c12345"}"#

    public static let mention = """
    {
        "type": "MESSAGE",
        "eventTime": "2017-03-02T19:02:59.910959Z",
        "space": \(space),
        "message": {
            "name": "spaces/AAAAAAAAAAA/messages/CCCCCCCCCCC.CCCCCCCCCCC",
            "sender": \(user),
            "createTime": "2017-03-02T19:02:59.910959Z",
            "text": "@Warden what is up with @Dana?",
            "argumentText": " what is up with @Dana?",
            "thread": {"name": "spaces/AAAAAAAAAAA/threads/BBBBBBBBBBB"},
            "space": \(space),
            "annotations": [
                {"type": "USER_MENTION", "startIndex": 0, "length": 7,
                 "userMention": {"user": {"name": "users/98765432109876543210", "displayName": "Warden", "type": "BOT"}, "type": "MENTION"}},
                {"type": "USER_MENTION", "startIndex": 24, "length": 5,
                 "userMention": {"user": {"name": "users/55555", "displayName": "Dana", "type": "HUMAN"}, "type": "MENTION"}}
            ]
        },
        "user": \(user),
        "common": {"userLocale": "en", "hostApp": "CHAT"}
    }
    """

    public static let directMessage = """
    {
        "type": "MESSAGE",
        "eventTime": "2017-03-02T19:05:00.000000Z",
        "space": {"name": "spaces/DDDDDDDDDDD", "type": "DM", "spaceType": "DIRECT_MESSAGE", "singleUserBotDm": true},
        "message": {
            "name": "spaces/DDDDDDDDDDD/messages/EEEEEEEEEEE.EEEEEEEEEEE",
            "sender": \(user),
            "text": "deploy status?",
            "argumentText": "deploy status?",
            "thread": {"name": "spaces/DDDDDDDDDDD/threads/FFFFFFFFFFF"}
        },
        "user": \(user)
    }
    """

    public static func cardClicked(function: String) -> String {
        """
        {
            "type": "CARD_CLICKED",
            "eventTime": "2023-06-01T10:00:00.000000Z",
            "space": \(space),
            "message": {
                "name": "spaces/AAAAAAAAAAA/messages/GGGGGGGGGGG.GGGGGGGGGGG",
                "sender": {"name": "users/98765432109876543210", "displayName": "Warden", "type": "BOT"},
                "thread": {"name": "spaces/AAAAAAAAAAA/threads/BBBBBBBBBBB"}
            },
            "user": \(user),
            "action": {"actionMethodName": "\(function)", "parameters": [{"key": "approvalId", "value": "apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"}]},
            "common": {"userLocale": "en", "hostApp": "CHAT", "invokedFunction": "\(function)",
                       "parameters": {"approvalId": "apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"}}
        }
        """
    }

    public static let addedToSpace = """
    {"type": "ADDED_TO_SPACE", "eventTime": "2017-03-02T19:02:59.910959Z", "space": \(space), "user": \(user)}
    """
}
