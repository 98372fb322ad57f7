import Foundation
import HTTP

/// Decoding request bodies: JSON only, bounded in size and nesting, unknown fields ignored,
/// wrong types rejected with `param` naming the field.
struct JSONBody {
    static let maxBytes = 1 << 20
    static let maxDepth = 32

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowEmpty: Bool = false) throws -> T {
        var bytes = request.body
        if bytes.isEmpty {
            guard allowEmpty else {
                throw APIError.invalid(nil, "This request needs a JSON body.", code: "missing_body")
            }
            bytes = Array("{}".utf8)
        } else if let contentType = request.headers["Content-Type"], !isJSON(contentType) {
            throw HTTPError(.init(415), code: "unsupported_media_type",
                            message: "Send the body as JSON with 'Content-Type: application/json'.")
        }
        guard bytes.count <= maxBytes else {
            throw HTTPError(.contentTooLarge, code: "body_too_large", message: "JSON bodies are limited to \(maxBytes) bytes.")
        }
        guard nestingDepth(bytes) <= maxDepth else {
            throw APIError.invalid(nil, "The JSON body nests deeper than \(maxDepth) levels.", code: "too_deep")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw translate(error)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw APIError.invalid(nil, "The body is not valid JSON.", code: "invalid_json")
        }
    }

    /// `application/json`, optionally with parameters (`; charset=utf-8`), compared exactly.
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first?.trimmingOWS() ?? ""
        return String(mediaType).equalsIgnoringASCIICase("application/json")
    }

    /// Deepest nesting of arrays and objects, ignoring brackets inside strings.
    static func nestingDepth(_ bytes: [UInt8]) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for c in bytes {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    static func path(_ keys: [any CodingKey]) -> String? {
        guard !keys.isEmpty else { return nil }
        var out = ""
        for key in keys {
            if let index = key.intValue { out += "[\(index)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return out
    }

    static func translate(_ error: DecodingError) -> HTTPError {
        switch error {
        case .typeMismatch(let type, let context):
            let param = path(context.codingPath)
            return APIError.invalid(param, "'\(param ?? "body")' must be \(describe(type)).", code: "invalid_type")
        case .valueNotFound(let type, let context):
            let param = path(context.codingPath)
            return APIError.invalid(param, "'\(param ?? "body")' must be \(describe(type)), not null.", code: "invalid_type")
        case .keyNotFound(let key, let context):
            let param = path(context.codingPath + [key])
            return APIError.invalid(param, "'\(param ?? key.stringValue)' is required.", code: "missing_field")
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as? HTTPError { return underlying }
            if context.codingPath.isEmpty {
                return APIError.invalid(nil, "The body is not valid JSON.", code: "invalid_json")
            }
            let param = path(context.codingPath)
            return APIError.invalid(param, "'\(param ?? "body")': \(context.debugDescription)", code: "invalid_value")
        @unknown default:
            return APIError.invalid(nil, "The body could not be decoded.", code: "invalid_json")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Double.Type: return "a number"
        case is [Any].Type: return "an array"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}
