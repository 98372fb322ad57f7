import Foundation

enum DockerJSON {
    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(bytes))
    }

    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? Array(JSONEncoder().encode(value))) ?? []
    }

    /// Docker's `filters` query parameter: a JSON map of lists, percent-encoded.
    static func filters(_ filters: [String: [String]]) -> String {
        let json = String(decoding: encode(filters), as: UTF8.self)
        return json.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? json
    }

    static func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}
