/// Decides requests against egress rules (SPEC §5). Default deny.
///
/// The most specific matching rule wins, comparing in this order: an exact host over a wildcard,
/// a longer wildcard domain over a shorter one, a longer path prefix (in segments; none counts as
/// `/`) over a shorter one, a rule with methods over one without. Between equally specific
/// rules deny beats approve beats allow. Deny and approve rules match paths in any case and
/// ignoring `;parameters`; allow rules match exactly (see `EgressRule.matches`). A model API host configured for the session counts as
/// an exact-host allow rule with no path or methods: a wildcard deny does not block it, a rule
/// on that host does.
public enum EgressPolicy {
    /// Normalises `host` and `path` first; a request whose host or path is refused is denied
    /// with the refusal as the reason (fail closed).
    public static func decide(method: String, host: String, path: String, rules: [EgressRule],
                              alwaysAllowedHosts: [EgressHost] = []) -> EgressDecision {
        let egressHost: EgressHost
        let normalizedPath: NormalizedPath
        do {
            egressHost = try EgressHost(parsing: host)
        } catch {
            return refused(method: method, target: host, because: error.reason)
        }
        do {
            normalizedPath = try NormalizedPath(path)
        } catch {
            return refused(method: method, target: "\(egressHost)\(pathWithoutQuery(path))", because: error.reason)
        }
        return decide(method: method, host: egressHost, path: normalizedPath, rules: rules,
                      alwaysAllowedHosts: alwaysAllowedHosts)
    }

    public static func decide(method: String, host: EgressHost, path: NormalizedPath, rules: [EgressRule],
                              alwaysAllowedHosts: [EgressHost] = []) -> EgressDecision {
        let request = "\(method) \(host)\(path)"
        var best: (candidate: Candidate, rule: EgressRule?)?
        for rule in rules where rule.matches(method: method, host: host, path: path) {
            let candidate = Candidate(rule)
            if best == nil || candidate.beats(best!.candidate, tieBreakID: rule.id, otherID: best!.rule?.id) {
                best = (candidate, rule)
            }
        }
        if alwaysAllowedHosts.contains(host) {
            let candidate = Candidate.alwaysAllowedHost
            if best == nil || candidate.beats(best!.candidate, tieBreakID: nil, otherID: best!.rule?.id) {
                best = (candidate, nil)
            }
        }
        guard let best else {
            return EgressDecision(action: .deny, basis: .noMatchingRule,
                                  reason: "no egress rule allows \(request); ask an admin to add one via POST /v1/rules")
        }
        guard let rule = best.rule else {
            return EgressDecision(action: .allow, basis: .alwaysAllowedHost,
                                  reason: "\(host) is a model API host configured for this session")
        }
        return EgressDecision(action: rule.action, basis: .rule(rule), reason: reason(for: rule, request: request))
    }

    private static func reason(for rule: EgressRule, request: String) -> String {
        switch rule.action {
        case .allow: return "egress rule \(rule.id) allows \(request)"
        case .approve: return "egress rule \(rule.id) requires a person to approve \(request)"
        case .deny: return "egress rule \(rule.id) denies \(request)"
        }
    }

    private static func refused(method: String, target: String, because reason: String) -> EgressDecision {
        EgressDecision(action: .deny, basis: .invalidRequest, reason: "\(method) \(target) was refused: \(reason)")
    }

    private static func pathWithoutQuery(_ path: String) -> Substring {
        path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
    }
}

/// How a matching rule ranks against another; compared field by field in declaration order.
private struct Candidate {
    let host: Int
    let pathSegments: Int
    let hasMethods: Bool
    let strictness: Int

    init(_ rule: EgressRule) {
        host = rule.host.specificity
        pathSegments = rule.pathPrefix?.segmentCount ?? 0
        hasMethods = rule.methods != nil
        strictness = rule.action.strictness
    }

    private init(host: Int, pathSegments: Int, hasMethods: Bool, strictness: Int) {
        (self.host, self.pathSegments, self.hasMethods, self.strictness) = (host, pathSegments, hasMethods, strictness)
    }

    static let alwaysAllowedHost = Candidate(host: Int.max, pathSegments: 0, hasMethods: false,
                                             strictness: EgressAction.allow.strictness)

    /// Fully tied rules (same specificity and action) are broken by id, so the rule an audit
    /// entry names does not depend on the order rules were loaded in.
    func beats(_ other: Candidate, tieBreakID: String?, otherID: String?) -> Bool {
        let mine = (host, pathSegments, hasMethods ? 1 : 0, strictness)
        let theirs = (other.host, other.pathSegments, other.hasMethods ? 1 : 0, other.strictness)
        if mine != theirs { return mine > theirs }
        // A real rule beats the implicit model-host allow it ties with.
        guard let tieBreakID else { return false }
        guard let otherID else { return true }
        return tieBreakID < otherID
    }
}
