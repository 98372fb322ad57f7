import HTTP

/// Why the forward proxy answered a request itself instead of relaying the origin's answer.
/// Each reaches the agent as the JSON error envelope; none carries a secret or a query string.
enum ForwardProxyError: HTTPResponseError, Equatable {
    case traceRefused
    case interceptionRequired(String)
    case httpsAbsoluteForm
    case notAbsoluteForm(String)
    /// Inside an intercepted CONNECT, requests name only a path.
    case notOriginForm(String)
    case serverNameMismatch(connect: String, serverName: String)
    case interceptionFailed(host: String, reason: String)
    case invalidAuthority(String)
    case hostMismatch(target: String, host: String)
    case invalidPath(String)
    case denied(String)
    /// A held request a person denied, or that expired (or was cancelled) before anyone decided.
    case approvalRefused(approvalID: String, status: String, reason: String?)
    case approvalUnavailable
    case rateLimited(ruleID: String, retryAfter: Int)
    case addressRefused(String)
    case rulesUnavailable
    case credentialUnavailable(String)
    case noSession
    case upstreamUnreachable(host: String, reason: String)
    case upstreamEncoded(String)

    var status: HTTPStatus {
        switch self {
        case .traceRefused: return .methodNotAllowed
        case .interceptionRequired: return .notImplemented
        case .httpsAbsoluteForm, .notAbsoluteForm, .notOriginForm, .invalidAuthority, .invalidPath: return .badRequest
        case .hostMismatch, .serverNameMismatch: return .misdirected
        case .interceptionFailed: return .internalServerError
        case .denied, .approvalRefused, .addressRefused: return .forbidden
        case .rateLimited: return .tooManyRequests
        case .rulesUnavailable, .credentialUnavailable, .approvalUnavailable: return .serviceUnavailable
        case .noSession: return .internalServerError
        case .upstreamUnreachable, .upstreamEncoded: return .badGateway
        }
    }

    var type: String {
        switch self {
        case .denied, .approvalRefused, .addressRefused: return "permission"
        default: return ErrorType.forStatus(status)
        }
    }

    var code: String {
        switch self {
        case .traceRefused: return "method_not_allowed"
        case .interceptionRequired: return "interception_not_available"
        case .httpsAbsoluteForm: return "https_needs_connect"
        case .notAbsoluteForm: return "not_found"
        case .notOriginForm: return "invalid_target"
        case .serverNameMismatch: return "server_name_mismatch"
        case .interceptionFailed: return "interception_failed"
        case .invalidAuthority: return "invalid_host"
        case .hostMismatch: return "host_mismatch"
        case .invalidPath: return "invalid_path"
        case .denied: return "egress_denied"
        case .approvalRefused(_, let status, _): return status == "denied" ? "approval_denied" : "approval_\(status)"
        case .approvalUnavailable: return "approval_unavailable"
        case .rateLimited: return "rate_limited"
        case .addressRefused: return "egress_address_refused"
        case .rulesUnavailable: return "egress_rules_unavailable"
        case .credentialUnavailable: return "credential_unavailable"
        case .noSession: return "proxy_misconfigured"
        case .upstreamUnreachable: return "upstream_unreachable"
        case .upstreamEncoded: return "upstream_encoding"
        }
    }

    var message: String {
        switch self {
        case .traceRefused: return "TRACE is refused by the proxy: it would echo injected credentials back."
        case .interceptionRequired(let why):
            return "\(why), so warden must intercept this CONNECT to see its requests, but this proxy runs without "
                + "a certificate authority."
        case .notOriginForm(let method):
            return "Inside an intercepted CONNECT a \(method) request must name only a path (origin form)."
        case .serverNameMismatch(let connect, let serverName):
            return "The TLS server name (\(serverName)) does not name the CONNECT target (\(connect))."
        case .interceptionFailed(let host, let reason):
            return "Warden could not intercept the CONNECT to \(host): \(reason)."
        case .httpsAbsoluteForm:
            return "An https:// URL cannot be sent to the proxy as a plain request; use CONNECT."
        case .notAbsoluteForm(let path):
            return "No proxy route for \(path); send absolute-form http:// requests or POST /model/{anthropic,openai}/…."
        case .invalidAuthority(let reason): return "The request's host cannot be used: \(reason)."
        case .hostMismatch(let target, let host):
            return "The Host header (\(host)) does not name the request target's host (\(target))."
        case .invalidPath(let reason): return "The path was refused: \(reason)."
        case .denied(let reason): return reason
        case .approvalRefused(let id, let status, let reason):
            let outcome = status == "denied" ? "denied by a person" : (status == "expired" ? "not decided in time" : status)
            return "The request held for approval \(id) was \(outcome)\(reason.map { ": \($0)" } ?? ""); it was not sent."
        case .approvalUnavailable:
            return "The request needs approval, but the approval could not be recorded or read; it was not sent (see warden's log)."
        case .rateLimited(let rule, let retryAfter):
            return "Egress rule \(rule)'s rate limit is reached; retry in \(retryAfter) s."
        case .addressRefused(let reason): return reason
        case .rulesUnavailable: return "The egress rules could not be loaded; the request was refused (see warden's log)."
        case .credentialUnavailable(let name):
            return "The credential '\(name)' cannot be decrypted with warden's master key; see warden's log."
        case .noSession: return "This proxy socket belongs to no session; warden is misconfigured."
        case .upstreamUnreachable(let host, let reason): return "Could not reach \(host): \(reason)."
        case .upstreamEncoded(let encoding):
            return "The server answered with Content-Encoding \(encoding), which warden cannot check for secrets, "
                + "so the response was withheld."
        }
    }

    var headers: HTTPHeaders {
        switch self {
        case .traceRefused: return ["Allow": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"]
        case .rateLimited(_, let retryAfter): return ["Retry-After": String(retryAfter)]
        case .interceptionRequired: return ["Connection": "close"]
        default: return [:]
        }
    }
}
