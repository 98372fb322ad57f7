/// Reads a signature sent as hex digits after an optional scheme prefix, e.g. `v0=` (Slack),
/// `sha256=` (GitHub, WhatsApp) or none (Linear, Discord).
enum HexSignatureHeader {
    static func decode(_ value: String, prefix: String = "", byteCount: Int,
                       header: String) throws(VerificationFailure) -> [UInt8] {
        guard value.hasPrefix(prefix) else {
            throw .headerMalformed(header: header, reason: "it must start with '\(prefix)'")
        }
        let digits = value.dropFirst(prefix.count)
        guard digits.utf8.count == byteCount * 2, let bytes = Hex.decode(digits) else {
            let form = prefix.isEmpty ? "" : "'\(prefix)' followed by "
            throw .headerMalformed(header: header, reason: "it must be \(form)\(byteCount * 2) hexadecimal digits")
        }
        return bytes
    }
}
