import HTTP

/// Linear data-change webhooks shaped as https://linear.app/developers/webhooks describes them.
public enum LinearPayloads {
    public static let appUserID = "a1b2c3d4-0000-4000-8000-00000000bot1"

    public static let headers: HTTPHeaders = ["Linear-Delivery": "234d1a4e-b617-4388-90fe-adc3633d6b72", "Linear-Event": "Comment",
                                       "Content-Type": "application/json; charset=utf-8"]

    public static func commentCreate(body: String, userID: String = "4f4b6b1c-2f0a-4d1f-a6b5-5b0b5c1e6a11", parentID: String? = nil) -> String {
        let parent = parentID.map { "\"parentId\": \"\($0)\"," } ?? ""
        return """
        {
            "action": "create",
            "actor": {"id": "\(userID)", "type": "user", "name": "Ada Lovelace", "email": "ada@example.com",
                      "url": "https://linear.app/acme/profiles/ada"},
            "createdAt": "2024-10-08T14:07:29.000Z",
            "data": {
                "id": "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9",
                "createdAt": "2024-10-08T14:07:29.000Z",
                "updatedAt": "2024-10-08T14:07:29.000Z",
                "body": "\(body)",
                "issueId": "c7b5f3a2-6d2e-4f7b-9a35-0a1f0e2d3c4b",
                \(parent)
                "userId": "\(userID)",
                "reactionData": [],
                "issue": {"id": "c7b5f3a2-6d2e-4f7b-9a35-0a1f0e2d3c4b", "title": "Checkout fails on Safari", "identifier": "ENG-123",
                          "teamId": "72b2a2dc-6f4f-4423-9d34-24b5bd10634a"},
                "user": {"id": "\(userID)", "name": "Ada Lovelace"}
            },
            "url": "https://linear.app/acme/issue/ENG-123/checkout-fails-on-safari#comment-2174add1",
            "type": "Comment",
            "organizationId": "8f1b6c43-2d7b-47b4-9f4e-3f0f9ddc7d85",
            "webhookTimestamp": 1728396449562,
            "webhookId": "000042e3-d123-4980-b49f-8e140eef9329"
        }
        """
    }

    public static let issueCreate = """
    {
        "action": "create",
        "actor": {"id": "4f4b6b1c-2f0a-4d1f-a6b5-5b0b5c1e6a11", "type": "user", "name": "Ada Lovelace"},
        "createdAt": "2024-10-08T14:00:00.000Z",
        "data": {
            "id": "c7b5f3a2-6d2e-4f7b-9a35-0a1f0e2d3c4b",
            "identifier": "ENG-123",
            "number": 123,
            "title": "Checkout fails on Safari",
            "description": "Steps: open checkout on Safari 17.",
            "priority": 2,
            "priorityLabel": "High",
            "teamId": "72b2a2dc-6f4f-4423-9d34-24b5bd10634a",
            "creatorId": "4f4b6b1c-2f0a-4d1f-a6b5-5b0b5c1e6a11",
            "stateId": "7b8c9d0e-0000-4000-8000-000000000001",
            "labelIds": []
        },
        "url": "https://linear.app/acme/issue/ENG-123/checkout-fails-on-safari",
        "type": "Issue",
        "organizationId": "8f1b6c43-2d7b-47b4-9f4e-3f0f9ddc7d85",
        "webhookTimestamp": 1728396000123,
        "webhookId": "000042e3-d123-4980-b49f-8e140eef9329"
    }
    """
}
