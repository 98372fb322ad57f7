/// What an egress rule does with the requests it matches.
public enum EgressAction: String, Sendable, Hashable, CaseIterable {
    case allow
    case deny
    /// Hold the request until a person approves or denies it.
    case approve

    /// Between equally specific rules the stricter one wins: deny, then approve, then allow.
    var strictness: Int {
        switch self {
        case .allow: return 0
        case .approve: return 1
        case .deny: return 2
        }
    }
}
