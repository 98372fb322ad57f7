import Core
import HTTP

/// A JSON object body from the agent, with typed accessors that name the bad field.
struct AgentBody {
    let fields: [String: JSONValue]

    init(_ request: Request) throws {
        guard !request.body.isEmpty, case .object(let fields) = JSONValue.decode(request.bodyString) else {
            throw AgentError.invalid("body", "The body must be a JSON object.")
        }
        self.fields = fields
    }

    func string(_ name: String) throws -> String {
        guard case .string(let value)? = fields[name] else {
            throw AgentError.invalid(name, "'\(name)' is required and must be a string.")
        }
        return value
    }

    func optionalString(_ name: String) throws -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw AgentError.invalid(name, "'\(name)' must be a string.")
        }
    }

    func optionalObject(_ name: String) throws -> JSONValue? {
        switch fields[name] {
        case nil, .null?: return nil
        case .object?: return fields[name]
        default: throw AgentError.invalid(name, "'\(name)' must be an object.")
        }
    }
}
