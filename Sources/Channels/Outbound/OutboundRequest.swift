import Core
import HTTP

/// An HTTP request to a platform's API, complete but for the bot token: where the token goes it
/// carries the credential's placeholder, which Warden's credential proxy replaces on the way out,
/// so the token never exists in this module.
public struct OutboundRequest: Sendable {
    public var method: String
    /// The absolute URL.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var credential: CredentialPlacement

    public init(method: String, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
                credential: CredentialPlacement) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.credential = credential
    }

    /// A JSON request; `authorization` is the whole `Authorization` value (`Bearer <placeholder>`).
    static func json(_ method: String, _ url: String, _ body: JSONValue, authorization: String?,
                     extraHeaders: [(String, String)] = []) -> OutboundRequest {
        var headers: HTTPHeaders = ["Content-Type": "application/json; charset=utf-8"]
        if let authorization { headers.add("Authorization", authorization) }
        for (name, value) in extraHeaders { headers.add(name, value) }
        return OutboundRequest(method: method, url: url, headers: headers, body: body.jsonBytes,
                               credential: authorization == nil ? .none : .header("Authorization"))
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Where a request carries the credential's placeholder.
public enum CredentialPlacement: Sendable, Equatable {
    /// In this header, which the credential proxy rewrites.
    case header(String)
    /// In the URL path (Telegram's `/bot<token>/method`). The credential proxy replaces
    /// placeholders only in headers today, so these requests need it to learn paths first.
    case urlPath
    /// The request needs no credential: the URL itself is the capability (Slack `response_url`,
    /// Discord interaction webhooks).
    case none
}

/// A reply target that lacks what the platform's API needs to address it.
public enum OutboundError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(ChannelPlatform, String)
    case malformed(ChannelPlatform, String)

    public var description: String {
        switch self {
        case .missing(let platform, let what): return "a \(platform.displayName) reply needs \(what)"
        case .malformed(let platform, let what): return "the \(platform.displayName) reply target has a malformed \(what)"
        }
    }
}

/// Percent-encoding of one URL path segment: everything but RFC 3986's unreserved characters,
/// so ids with `:`, `;`, `@` or `=` (Teams conversations) cannot change the path.
enum URLPath {
    static func segment(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A resource name whose `/`s are part of the path (`spaces/AAA/messages/BBB`).
    static func segments(_ name: String) -> String {
        name.split(separator: "/", omittingEmptySubsequences: false).map { segment(String($0)) }.joined(separator: "/")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
