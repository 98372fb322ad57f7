/// Discord interactions as the documentation shows them
/// (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object).
public enum DiscordPayloads {
    public static let applicationID = "11869105236066"

    public static let ping = """
    {"application_id": "11869105236066", "id": "787053080478613555", "token": "ThisIsATokenFromDiscordThatIsVeryLong", "type": 1, "user": {"avatar": "a_d5efa99b3eeaa7dd43acca82f5692432", "discriminator": "1337", "id": "53908232506183680", "public_flags": 131141, "username": "Mason"}, "version": 1}
    """

    /// `/ask prompt:…` in a server channel.
    public static let askCommand = """
    {
        "type": 2,
        "token": "A_UNIQUE_TOKEN",
        "member": {
            "user": {"id": "53908232506183680", "username": "Mason", "avatar": "a_d5efa99b3eeaa7dd43acca82f5692432",
                     "discriminator": "1337", "public_flags": 131141, "global_name": "Mason G"},
            "roles": ["539082325061836999"],
            "premium_since": null,
            "permissions": "2147483647",
            "pending": false,
            "nick": null,
            "mute": false,
            "joined_at": "2017-03-13T19:19:14.040000+00:00",
            "is_pending": false,
            "deaf": false
        },
        "id": "786008729715212338",
        "guild_id": "290926798626357999",
        "app_permissions": "442368",
        "guild_locale": "en-US",
        "locale": "en-US",
        "data": {
            "options": [{"type": 3, "name": "prompt", "value": "why is <@11869105236066> so slow? ask <@!4242>"}],
            "type": 1,
            "name": "ask",
            "id": "771825006014889984"
        },
        "channel_id": "645027906669510667",
        "application_id": "11869105236066",
        "version": 1
    }
    """

    /// `/approve id:apr_… reason:…` in a DM: the user is at the top level.
    public static let approveCommand = """
    {
        "type": 2,
        "token": "A_UNIQUE_TOKEN_2",
        "user": {"id": "53908232506183680", "username": "Mason", "global_name": null},
        "id": "786008729715212339",
        "data": {
            "options": [{"type": 3, "name": "id", "value": "apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"},
                        {"type": 3, "name": "reason", "value": "looks fine"}],
            "type": 1,
            "name": "approve",
            "id": "771825006014889985"
        },
        "channel": {"id": "645027906669510668", "type": 1},
        "channel_id": "645027906669510668",
        "application_id": "11869105236066",
        "version": 1
    }
    """

    public static func buttonClick(customID: String) -> String {
        """
        {
            "version": 1,
            "type": 3,
            "token": "unique_interaction_token",
            "message": {
                "type": 0,
                "tts": false,
                "timestamp": "2021-05-19T02:12:51.710000+00:00",
                "pinned": false,
                "mentions": [],
                "mention_roles": [],
                "mention_everyone": false,
                "id": "844397162624450620",
                "flags": 0,
                "embeds": [],
                "edited_timestamp": null,
                "content": "Approval requested",
                "components": [{"type": 1, "components": [
                    {"type": 2, "style": 3, "label": "Approve", "custom_id": "approve:apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"},
                    {"type": 2, "style": 4, "label": "Deny", "custom_id": "deny:apr_01J9Z8X7W6V5T4S3R2Q1P0N9M8"}]}],
                "channel_id": "345626669114982999",
                "author": {"username": "Warden", "public_flags": 0, "id": "11869105236066", "discriminator": "0000", "bot": true, "avatar": null},
                "attachments": []
            },
            "member": {
                "user": {"username": "Mason", "public_flags": 131141, "id": "53908232506183680", "discriminator": "1337",
                         "avatar": "a_d5efa99b3eeaa7dd43acca82f5692432"},
                "roles": [],
                "premium_since": null,
                "permissions": "17179869183",
                "pending": false,
                "nick": "Mase",
                "mute": false,
                "joined_at": "2017-03-13T19:19:14.040000+00:00",
                "is_pending": false,
                "deaf": false,
                "avatar": null
            },
            "id": "846462639134605312",
            "guild_id": "290926798626357999",
            "data": {"custom_id": "\(customID)", "component_type": 2},
            "channel_id": "345626669114982999",
            "application_id": "11869105236066"
        }
        """
    }
}
