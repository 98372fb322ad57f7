import Foundation

/// JSON text for the wire formats, built from Foundation objects.
enum WireJSON {
    static func text(_ object: Any) -> String {
        String(decoding: bytes(object), as: UTF8.self)
    }

    static func bytes(_ object: Any) -> [UInt8] {
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return data.map { Array($0) } ?? Array("null".utf8)
    }

    static func parse(_ text: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? [String: Any]()
    }

    /// Splits text into pieces of at most `size` characters, as a model streams it.
    static func pieces(_ text: String, size: Int) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return pieces
    }
}
