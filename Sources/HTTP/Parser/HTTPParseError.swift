/// Why a message was rejected while parsing. Every case maps to the status RFC 9112 asks for;
/// the connection is always closed after one of these, since framing can no longer be trusted.
public enum HTTPParseError: Error, Sendable, Equatable {
    case headersTooLarge
    case tooManyHeaders
    case bareCR
    case bareLF
    case invalidRequestLine
    case invalidMethod
    case invalidTarget
    case invalidVersion
    case unsupportedVersion
    case invalidHeaderName
    case invalidHeaderValue
    case obsoleteLineFolding
    case missingHost
    case duplicateHost
    case invalidHost
    case contentLengthWithTransferEncoding
    case duplicateContentLength
    case invalidContentLength
    case unsupportedTransferCoding(String)
    case invalidTransferEncoding
    case transferEncodingInHTTP10
    case bodyTooLarge
    case invalidChunk
    case trailersTooLarge
    case unsupportedExpectation
    case invalidStatusLine

    public var status: HTTPStatus {
        switch self {
        case .headersTooLarge, .tooManyHeaders, .trailersTooLarge: return .headersTooLarge
        case .unsupportedVersion: return .versionNotSupported
        case .unsupportedTransferCoding: return .notImplemented
        case .bodyTooLarge: return .contentTooLarge
        case .unsupportedExpectation: return .expectationFailed
        default: return .badRequest
        }
    }

    /// Machine-readable code for the error envelope.
    public var code: String {
        switch self {
        case .headersTooLarge: return "headers_too_large"
        case .tooManyHeaders: return "too_many_headers"
        case .bareCR: return "bare_cr"
        case .bareLF: return "bare_lf"
        case .invalidRequestLine: return "invalid_request_line"
        case .invalidMethod: return "invalid_method"
        case .invalidTarget: return "invalid_target"
        case .invalidVersion: return "invalid_version"
        case .unsupportedVersion: return "unsupported_version"
        case .invalidHeaderName: return "invalid_header_name"
        case .invalidHeaderValue: return "invalid_header_value"
        case .obsoleteLineFolding: return "obsolete_line_folding"
        case .missingHost: return "missing_host"
        case .duplicateHost: return "duplicate_host"
        case .invalidHost: return "invalid_host"
        case .contentLengthWithTransferEncoding: return "content_length_with_transfer_encoding"
        case .duplicateContentLength: return "duplicate_content_length"
        case .invalidContentLength: return "invalid_content_length"
        case .unsupportedTransferCoding: return "unsupported_transfer_coding"
        case .invalidTransferEncoding: return "invalid_transfer_encoding"
        case .transferEncodingInHTTP10: return "transfer_encoding_in_http10"
        case .bodyTooLarge: return "body_too_large"
        case .invalidChunk: return "invalid_chunk"
        case .trailersTooLarge: return "trailers_too_large"
        case .unsupportedExpectation: return "unsupported_expectation"
        case .invalidStatusLine: return "invalid_status_line"
        }
    }

    public var message: String {
        switch self {
        case .headersTooLarge: return "The request line and headers exceed the server's limit."
        case .tooManyHeaders: return "The request has more header fields than the server accepts."
        case .bareCR: return "A carriage return must be followed by a line feed."
        case .bareLF: return "Lines must end with CRLF; a bare line feed was found."
        case .invalidRequestLine: return "The request line must be 'METHOD SP target SP HTTP/1.x'."
        case .invalidMethod: return "The method must be a token."
        case .invalidTarget: return "The request target is not valid for this method."
        case .invalidVersion: return "The HTTP version is malformed."
        case .unsupportedVersion: return "Only HTTP/1.0 and HTTP/1.1 are supported."
        case .invalidHeaderName: return "A header field name is not a token or is followed by whitespace."
        case .invalidHeaderValue: return "A header field value contains a control character."
        case .obsoleteLineFolding: return "Obsolete line folding in header fields is not accepted."
        case .missingHost: return "HTTP/1.1 requests must carry a Host header."
        case .duplicateHost: return "The Host header must appear exactly once."
        case .invalidHost: return "The Host header is not a valid authority."
        case .contentLengthWithTransferEncoding: return "Content-Length and Transfer-Encoding must not both be sent."
        case .duplicateContentLength: return "Content-Length must appear at most once."
        case .invalidContentLength: return "Content-Length must be a non-negative decimal number."
        case .unsupportedTransferCoding(let c): return "The transfer coding '\(c)' is not supported; use chunked."
        case .invalidTransferEncoding: return "Transfer-Encoding must end with chunked, exactly once."
        case .transferEncodingInHTTP10: return "Transfer-Encoding is not allowed in HTTP/1.0 requests."
        case .bodyTooLarge: return "The request body exceeds the server's limit."
        case .invalidChunk: return "The chunked body is malformed."
        case .trailersTooLarge: return "The chunked trailer section exceeds the server's limit."
        case .unsupportedExpectation: return "Only 'Expect: 100-continue' is supported."
        case .invalidStatusLine: return "The status line is malformed."
        }
    }
}
