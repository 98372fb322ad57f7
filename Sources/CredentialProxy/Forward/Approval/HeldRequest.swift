import Core
import HTTP

/// What a person sees of a request the proxy holds for approval (SPEC §5): method, host, path
/// without the query, headers with anything that may be a secret replaced, and the start of
/// the body. The agent only ever holds placeholders, but it may hold tokens of its own, and a
/// placeholder tells an approver nothing, so credential-shaped headers are masked whatever
/// their value.
struct HeldRequest {
    static let bodyPreviewLimit = 2048
    static let masked = "[redacted]"

    let method: String
    let host: String
    let path: String
    let headers: HTTPHeaders
    let body: [UInt8]

    var details: ApprovalRequestDetails {
        ApprovalRequestDetails(method: method, host: host, path: path, headers: shownHeaders, body_preview: bodyPreview)
    }

    /// One line for lists and chat cards.
    var summary: String {
        let size = body.isEmpty ? "" : " with a \(body.count)-byte body"
        return "The agent wants to send \(method) \(host)\(path)\(size)."
    }

    var shownHeaders: [String: String] {
        var shown: [String: String] = [:]
        for field in HopByHop.stripped(headers) {
            let value = Self.isSensitive(field.name) ? Self.masked : field.value
            if let earlier = shown[field.name] {
                shown[field.name] = earlier == Self.masked ? earlier : "\(earlier), \(value)"
            } else {
                shown[field.name] = value
            }
        }
        return shown
    }

    /// The body as text when it is UTF-8, cut at a character boundary; otherwise its size.
    var bodyPreview: String {
        guard !body.isEmpty else { return "" }
        var end = min(body.count, Self.bodyPreviewLimit)
        // Back off to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
        while end < body.count, end > 0, body[end] & 0xC0 == 0x80 { end -= 1 }
        guard let text = String(validating: body[..<end], as: UTF8.self) else {
            return "(\(body.count) bytes of binary data)"
        }
        return end < body.count ? text + "… (\(body.count - end) more bytes)" : text
    }

    static func isSensitive(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["authorization", "cookie", "set-cookie"].contains(lower) { return true }
        return ["token", "secret", "key", "auth", "password", "session", "signature", "credential"]
            .contains { lower.contains($0) }
    }
}
