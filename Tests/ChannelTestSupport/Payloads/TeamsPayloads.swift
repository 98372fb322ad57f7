/// Bot Framework activities as Microsoft Teams sends them
/// (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations,
/// https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards).
public enum TeamsPayloads {
    public static let botID = "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c"

    public static let common = """
    "channelId": "msteams",
    "serviceUrl": "https://smba.trafficmanager.net/amer/",
    "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
             "name": "Megan Bowen", "aadObjectId": "7faf80cb-a1e9-4b4e-8b4d-3b5bfa2a8ac1"},
    "conversation": {"isGroup": true, "conversationType": "channel", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                     "id": "19:253b1f341670408fb6fe17a9ff5a9c5c@thread.tacv2;messageid=1485983408511"},
    "recipient": {"id": "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c", "name": "Teams TestBot"},
    "channelData": {"teamsChannelId": "19:253b1f341670408fb6fe17a9ff5a9c5c@thread.tacv2",
                    "teamsTeamId": "19:71ab2e7c2c8f4a1fa0d5b8e2d0a8e6c1@thread.tacv2",
                    "channel": {"id": "19:253b1f341670408fb6fe17a9ff5a9c5c@thread.tacv2"},
                    "team": {"id": "19:71ab2e7c2c8f4a1fa0d5b8e2d0a8e6c1@thread.tacv2"},
                    "tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}},
    "locale": "en-US"
    """

    public static let channelMention = """
    {
        "type": "message",
        "id": "1485983408511",
        "timestamp": "2017-02-01T21:10:07.437Z",
        "localTimestamp": "2017-02-01T14:10:07.437-07:00",
        \(common),
        "textFormat": "plain",
        "text": "<at>Teams TestBot</at> summarise the thread for <at>Adele Vance</at>",
        "attachments": [],
        "entities": [
            {"type": "mention", "mentioned": {"id": "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c", "name": "Teams TestBot"},
             "text": "<at>Teams TestBot</at>"},
            {"type": "mention", "mentioned": {"id": "29:1AdeleVanceId", "name": "Adele Vance"}, "text": "<at>Adele Vance</at>"},
            {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"}
        ]
    }
    """

    public static let personalMessage = """
    {
        "type": "message",
        "id": "1592945163498",
        "timestamp": "2020-06-23T20:46:03.498Z",
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "channelId": "msteams",
        "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw", "name": "Megan Bowen"},
        "conversation": {"conversationType": "personal", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                         "id": "a:1dRsHCobZ1AxURzY05Dc"},
        "recipient": {"id": "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c", "name": "Teams TestBot"},
        "textFormat": "plain",
        "text": "hello",
        "channelData": {"tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}}
    }
    """

    public static func actionExecute(verb: String) -> String {
        """
        {
            "name": "adaptiveCard/action",
            "type": "invoke",
            "id": "f:5816925434558302364",
            "timestamp": "2022-08-26T07:46:49.418Z",
            \(common),
            "replyToId": "1661500003210",
            "value": {
                "action": {"type": "Action.Execute", "title": "Approve", "verb": "\(verb)",
                           "data": {"approvalId": "apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"}},
                "trigger": "manual"
            }
        }
        """
    }
}
