/// The rules a webhook's fields follow. Each refusal is `CoreError.invalid` with code
/// `invalid_webhook` and the field as `param`, checked before anything is stored.
enum WebhookValidation {
    static let maxDescriptionLength = 500

    static func invalid(_ param: String, _ message: String) -> CoreError {
        .invalid(param: param, code: "invalid_webhook", message: message)
    }

    static func url(_ text: String) throws(CoreError) -> WebhookURL {
        do {
            return try WebhookURL(parsing: text)
        } catch {
            throw invalid("url", "'url' \(error.reason).")
        }
    }

    /// The event types, duplicates dropped, in the order first named.
    static func events(_ names: [String]) throws(CoreError) -> [WebhookEventType] {
        let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
        guard !names.isEmpty else {
            throw invalid("events", "'events' must name at least one event type: \(known).")
        }
        var types: [WebhookEventType] = []
        for (index, name) in names.enumerated() {
            guard let type = WebhookEventType(rawValue: name) else {
                throw invalid("events[\(index)]", "'events[\(index)]' must be one of: \(known).")
            }
            if !types.contains(type) { types.append(type) }
        }
        return types
    }

    static func description(_ text: String?) throws(CoreError) -> String? {
        guard let text else { return nil }
        // Counted as JSON Schema counts `maxLength` (code points), as the other text fields are.
        guard text.unicodeScalars.count <= maxDescriptionLength else {
            throw invalid("description", "'description' is limited to \(maxDescriptionLength) characters.")
        }
        return text
    }
}
