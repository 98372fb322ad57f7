/// WhatsApp Cloud API webhooks as Meta documents them
/// (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples).
public enum WhatsAppPayloads {
    public static let phoneNumberID = "106540352242922"

    public static func notification(messages: String = "", statuses: String = "") -> String {
        var value: [String] = [
            #""messaging_product": "whatsapp""#,
            #""metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"}"#,
            #""contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}]"#,
        ]
        if !messages.isEmpty { value.append("\"messages\": [\(messages)]") }
        if !statuses.isEmpty { value.append("\"statuses\": [\(statuses)]") }
        return """
        {
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "102290129340398",
                "changes": [{
                    "value": {\(value.joined(separator: ",\n"))},
                    "field": "messages"
                }]
            }]
        }
        """
    }

    public static let textMessage = """
    {
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
        "timestamp": "1749416383",
        "type": "text",
        "text": {"body": "Does it come in another color?"}
    }
    """

    public static let replyMessage = """
    {
        "context": {"from": "15550783881", "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1QjJGRjI1RDY0RkE4Nzg4QzcA"},
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RwA=",
        "timestamp": "1749416390",
        "type": "text",
        "text": {"body": "and in blue?"}
    }
    """

    public static let delivered = """
    {
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjA3NTQxRjg1QjE4NEYA",
        "status": "delivered",
        "timestamp": "1750263773",
        "recipient_id": "16505551234",
        "conversation": {"id": "6ceb9d929c9d4fb3e8cdb4a9ff21d8a5", "origin": {"type": "service"}},
        "pricing": {"billable": true, "pricing_model": "PMP", "category": "service", "type": "regular"}
    }
    """

    public static func buttonReply(id: String) -> String {
        """
        {
            "context": {"from": "15550783881", "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1QjJGRjI1RDY0RkE4Nzg4QzcA"},
            "from": "16505551234",
            "id": "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA=",
            "timestamp": "1750025136",
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": "\(id)", "title": "Approve"}}
        }
        """
    }

    public static let image = """
    {
        "from": "16505551234",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUQ5MEI0QjlCRDA5MEI2RTBDMQA=",
        "timestamp": "1749416400",
        "type": "image",
        "image": {"mime_type": "image/jpeg", "sha256": "abc", "id": "1003383421387256"}
    }
    """
}
