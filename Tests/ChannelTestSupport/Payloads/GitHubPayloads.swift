import HTTP

/// GitHub webhook deliveries shaped as the documentation shows them
/// (https://docs.github.com/en/webhooks/webhook-events-and-payloads), trimmed of URL fields.
public enum GitHubPayloads {
    public static let botLogin = "warden-app[bot]"
    public static let botUserID = "136000001"

    public static func headers(event: String, delivery: String = "72d3162e-cc78-11e3-81ab-4c9367dc0958") -> HTTPHeaders {
        ["X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "X-GitHub-Hook-ID": "292430182",
         "User-Agent": "GitHub-Hookshot/044aadd", "Content-Type": "application/json"]
    }

    public static let repository = """
    "repository": {"id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": "Hello-World",
                   "full_name": "octocat/Hello-World", "private": false,
                   "owner": {"login": "octocat", "id": 1, "type": "User", "site_admin": false}}
    """

    public static let ping = """
    {"zen": "Keep it logically awesome.", "hook_id": 292430182,
     "hook": {"type": "Repository", "id": 292430182, "name": "web", "active": true, "events": ["issue_comment", "issues"],
              "config": {"content_type": "json", "insecure_ssl": "0", "url": "https://warden.example.com/webhooks/github/chn_1"}},
     \(repository),
     "sender": {"login": "octocat", "id": 1, "type": "User"}}
    """

    public static func issueComment(body: String, login: String = "octocat", userID: Int = 1, type: String = "User",
                             action: String = "created") -> String {
        """
        {
            "action": "\(action)",
            "issue": {"id": 1, "node_id": "MDU6SXNzdWUx", "number": 1347, "title": "Found a bug", "state": "open",
                      "user": {"login": "octocat", "id": 1, "type": "User"}, "body": "I'm having a problem with this.",
                      "comments": 1, "author_association": "OWNER"},
            "comment": {"id": 1146825, "node_id": "IC_kwDOABCD", "html_url": "https://github.com/octocat/Hello-World/issues/1347#issuecomment-1146825",
                        "body": "\(body)", "user": {"login": "\(login)", "id": \(userID), "type": "\(type)", "site_admin": false},
                        "created_at": "2011-04-14T16:00:49Z", "updated_at": "2011-04-14T16:00:49Z", "author_association": "OWNER"},
            \(repository),
            "sender": {"login": "\(login)", "id": \(userID), "type": "\(type)"}
        }
        """
    }

    public static let issueOpened = """
    {
        "action": "opened",
        "issue": {"id": 444500041, "node_id": "MDU6SXNzdWU0NDQ1MDAwNDE=", "number": 1, "title": "Spelling error in the README file",
                  "user": {"login": "Codertocat", "id": 21031067, "type": "User"}, "labels": [], "state": "open",
                  "body": "It looks like you accidently spelled 'commit' with two 't's."},
        \(repository),
        "sender": {"login": "Codertocat", "id": 21031067, "type": "User"}
    }
    """

    public static let reviewCommentReply = """
    {
        "action": "created",
        "comment": {"pull_request_review_id": 237895671, "id": 284312631, "node_id": "MDI0OlB1bGxSZXF1ZXN0UmV2aWV3Q29tbWVudDI4NDMxMjYzMQ==",
                    "diff_hunk": "@@ -1 +1 @@\\n-# Hello-World", "path": "README.md", "position": 1, "commit_id": "ec26c3e57ca3a959ca5aad62de7213c562f8c821",
                    "user": {"login": "Codertocat", "id": 21031067, "type": "User"}, "body": "@warden-app[bot] is this line needed?",
                    "in_reply_to_id": 284312630, "created_at": "2019-05-15T15:20:37Z", "author_association": "OWNER"},
        "pull_request": {"id": 279147437, "number": 2, "state": "open", "title": "Update the README with new information.",
                         "user": {"login": "Codertocat", "id": 21031067, "type": "User"}},
        \(repository),
        "sender": {"login": "Codertocat", "id": 21031067, "type": "User"}
    }
    """
}
