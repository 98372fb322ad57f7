import Core

/// Reading and building the platforms' JSON with Core's `JSONValue`.
extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// The member names of an object, sorted; empty for anything else.
    var objectKeys: [String] {
        if case .object(let fields) = self { return fields.keys.sorted() }
        return []
    }

    /// An object of the members whose value is not nil, so optional fields are simply absent.
    static func fields(_ members: KeyValuePairs<String, JSONValue?>) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for (key, value) in members { if let value { object[key] = value } }
        return .object(object)
    }

    static func optional(_ value: String?) -> JSONValue? { value.map(JSONValue.string) }

    static func int(_ value: Int) -> JSONValue { .integer(Int64(value)) }

    /// Platforms that take a numeric id (Telegram's `chat_id`) get a number when the id is one.
    static func id(_ value: String) -> JSONValue {
        Int64(value).map(JSONValue.integer) ?? .string(value)
    }
}
