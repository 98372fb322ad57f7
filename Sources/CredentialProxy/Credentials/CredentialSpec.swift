import Core

/// How a secret goes into a request: a header name and a value template in which `{secret}`
/// stands for the secret, e.g. `Authorization` / `Bearer {secret}`.
public struct CredentialInjection: Sendable, Equatable {
    public static let secretMarker = "{secret}"
    public var header: String
    public var template: String

    public init(header: String, template: String) {
        self.header = header
        self.template = template
    }

    /// The header value to send upstream. It contains the secret, so it is a `Secret` too.
    public func value(for secret: Secret) -> Secret {
        Secret(template.replacingOccurrences(of: Self.secretMarker, with: secret.revealText()))
    }
}

/// What a caller asks to store: everything about a credential but its id and its secret.
/// `hosts` are exact names or `*.suffix` (any name under `suffix`, not `suffix` itself).
public struct CredentialSpec: Sendable, Equatable {
    public var name: String
    public var hosts: [String]
    public var pathPrefix: String?
    public var inject: CredentialInjection
    /// The fake value agents are given; seen in a header on this credential's hosts, it is replaced.
    public var placeholder: String?
    /// How the secret is exchanged for a token; nil: the secret is sent as is.
    public var exchange: CredentialExchange?

    public init(name: String, hosts: [String], pathPrefix: String? = nil, inject: CredentialInjection,
                placeholder: String? = nil, exchange: CredentialExchange? = nil) {
        self.name = name; self.hosts = hosts; self.pathPrefix = pathPrefix; self.inject = inject
        self.placeholder = placeholder; self.exchange = exchange
    }

    /// The spec with hosts lowercased, or the first field that is unusable.
    func validated() throws(CoreError) -> CredentialSpec {
        var spec = self
        try CredentialValidation.name(name)
        guard !hosts.isEmpty else { throw CredentialValidation.invalid("hosts", "A credential needs at least one host.") }
        spec.hosts = try hosts.map { host throws(CoreError) in try CredentialValidation.hostPattern(host) }
        if let pathPrefix {
            guard pathPrefix.hasPrefix("/"), !CredentialValidation.hasControlCharacters(pathPrefix) else {
                throw CredentialValidation.invalid("path_prefix", "path_prefix must be a path starting with '/'.")
            }
        }
        try CredentialValidation.headerName(inject.header)
        guard inject.template.contains(CredentialInjection.secretMarker),
              !CredentialValidation.hasControlCharacters(inject.template) else {
            throw CredentialValidation.invalid("inject.template",
                                               "inject.template must contain {secret} and no control characters.")
        }
        if let placeholder {
            guard !placeholder.isEmpty, !CredentialValidation.hasControlCharacters(placeholder) else {
                throw CredentialValidation.invalid("placeholder", "placeholder must be non-empty, without control characters.")
            }
        }
        return spec
    }
}

/// The rules a credential's fields follow. Everything here ends up in an HTTP header or is
/// matched against one, so control characters (header splitting) are refused everywhere.
enum CredentialValidation {
    static func invalid(_ param: String, _ message: String) -> CoreError {
        .invalid(param: param, code: "invalid_credential", message: message)
    }

    static func name(_ name: String) throws(CoreError) {
        let allowed = name.utf8.allSatisfy { isAlphanumeric($0) || "._:-".utf8.contains($0) }
        guard !name.isEmpty, name.utf8.count <= 100, allowed else {
            throw invalid("name", "name must be 1–100 characters of letters, digits, '.', '_', ':' or '-'.")
        }
    }

    /// A lowercased host name, or `*.` followed by one.
    static func hostPattern(_ raw: String) throws(CoreError) -> String {
        let pattern = raw.lowercased()
        let host = pattern.hasPrefix("*.") ? String(pattern.dropFirst(2)) : pattern
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !host.isEmpty && host.utf8.count <= 253 && labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
        guard valid else {
            throw invalid("hosts", "'\(raw)' is not a host name or a '*.suffix' pattern (no scheme, port or path).")
        }
        return pattern
    }

    static func headerName(_ name: String) throws(CoreError) {
        let token = !name.isEmpty && name.utf8.allSatisfy { isAlphanumeric($0) || "!#$%&'*+-.^_`|~".utf8.contains($0) }
        guard token else { throw invalid("inject.header", "inject.header must be an HTTP header name.") }
        guard !HopByHop.isHopByHop(name), !["host", "content-length"].contains(name.lowercased()) else {
            throw invalid("inject.header", "\(name) cannot carry a credential: warden sets it itself.")
        }
    }

    /// A secret goes into a header value: it must be non-empty and must not be able to end the line.
    static func secret(_ secret: Secret) throws(CoreError) {
        guard !secret.isEmpty else { throw invalid("secret", "The secret is empty.") }
        guard !secret.bytes.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) else {
            throw invalid("secret", "The secret contains control characters (a stray newline?); it cannot go into a header.")
        }
    }

    static func hasControlCharacters(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c)
    }
}
