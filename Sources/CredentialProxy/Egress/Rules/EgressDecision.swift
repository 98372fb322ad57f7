/// What the proxy does with one request, and why, in words the agent can act on.
public struct EgressDecision: Sendable, Hashable {
    public enum Basis: Sendable, Hashable {
        /// The most specific matching rule.
        case rule(EgressRule)
        /// A model API host configured for the session, with no stricter rule for it.
        case alwaysAllowedHost
        /// Default deny.
        case noMatchingRule
        /// The host or path was refused before any rule was consulted.
        case invalidRequest
    }

    public let action: EgressAction
    public let basis: Basis
    /// For the agent (in the 403 body) and the audit log; never contains a query string.
    public let reason: String

    public var rule: EgressRule? {
        if case .rule(let rule) = basis { return rule }
        return nil
    }

    /// Whether the resolver may dial private, loopback, link-local or this host's addresses for
    /// this request: only when an exact-host rule let it through — someone named that host on
    /// purpose. A wildcard rule names no host. Nor does a model host: rules have no port, so a
    /// model gateway at 127.0.0.1:4000 would otherwise open every port of loopback, warden's
    /// own API among them; such a gateway needs its own exact rule.
    public var namesHostExplicitly: Bool {
        guard action != .deny, case .rule(let rule) = basis, case .exact = rule.host else { return false }
        return true
    }
}
