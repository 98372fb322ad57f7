import Core
import Foundation
import HTTP

/// Reads fields of a platform's JSON payload by dotted path (`event.channel`), and names the
/// missing field in the `ParseFailure` when a required one is absent or of the wrong type.
struct PayloadReader: Sendable {
    let platform: ChannelPlatform
    let value: JSONValue
    /// The path of `value` inside the whole payload, for error messages.
    let path: String

    init(platform: ChannelPlatform, value: JSONValue, path: String = "") {
        self.platform = platform
        self.value = value
        self.path = path
    }

    /// The body as a JSON object; anything else is not what a platform sends.
    init(platform: ChannelPlatform, json bytes: some Collection<UInt8>) throws(ParseFailure) {
        guard let root = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)),
              case .object = root else { throw .notJSON(platform) }
        self.init(platform: platform, value: root)
    }

    subscript(path: String) -> JSONValue? {
        var current = value
        for key in path.split(separator: ".") {
            guard case .object(let fields) = current, let next = fields[String(key)] else { return nil }
            current = next
        }
        return current
    }

    func string(_ path: String) -> String? {
        if case .string(let s)? = self[path] { return s }
        return nil
    }

    /// A string that is there and not empty.
    func text(_ path: String) -> String? {
        guard let s = string(path), !s.isEmpty else { return nil }
        return s
    }

    /// An id, whether the platform sends it as a string or a number (Telegram and GitHub ids
    /// are integers, beyond 2^53 for Telegram chats).
    func id(_ path: String) -> String? {
        switch self[path] {
        case .string(let s)? where !s.isEmpty: return s
        case .integer(let i)?: return String(i)
        default: return nil
        }
    }

    func bool(_ path: String) -> Bool? {
        if case .bool(let b)? = self[path] { return b }
        return nil
    }

    func int(_ path: String) -> Int64? {
        if case .integer(let i)? = self[path] { return i }
        return nil
    }

    func object(_ path: String) -> PayloadReader? {
        guard let v = self[path], case .object = v else { return nil }
        return PayloadReader(platform: platform, value: v, path: qualified(path))
    }

    /// The objects of an array; other elements are skipped. Empty when absent.
    func objects(_ path: String) -> [PayloadReader] {
        guard case .array(let items)? = self[path] else { return [] }
        return items.enumerated().compactMap { index, item in
            guard case .object = item else { return nil }
            return PayloadReader(platform: platform, value: item, path: qualified(path) + "[\(index)]")
        }
    }

    func requiredString(_ path: String) throws(ParseFailure) -> String {
        guard let s = string(path) else { throw missing(path) }
        return s
    }

    func requiredID(_ path: String) throws(ParseFailure) -> String {
        guard let s = id(path) else { throw missing(path) }
        return s
    }

    func requiredObject(_ path: String) throws(ParseFailure) -> PayloadReader {
        guard let o = object(path) else { throw missing(path) }
        return o
    }

    func missing(_ path: String) -> ParseFailure { .missingField(platform, field: qualified(path)) }

    private func qualified(_ sub: String) -> String { path.isEmpty ? sub : path + "." + sub }
}

/// `application/x-www-form-urlencoded` bodies (Slack's slash commands and interactive payloads).
enum FormFields {
    /// Nil when a field is not valid percent-encoded UTF-8.
    static func parse(_ bytes: some Collection<UInt8>) -> [String: String]? {
        let text = String(decoding: bytes, as: UTF8.self)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusAsSpace: true),
                  let value = PercentDecoding.decode(parts.count > 1 ? parts[1] : "", plusAsSpace: true)
            else { return nil }
            fields[name] = value
        }
        return fields
    }
}
