/// Why a host name cannot be matched against egress rules or dialled.
public enum HostRefusal: Error, Sendable, Equatable {
    case empty
    /// IDNA is not supported: a non-ASCII name could match a rule by one reading and resolve by another.
    case nonASCII
    /// A port, a user, a zone id or a character that has no place in a host name.
    case invalidCharacter(Character)
    case emptyLabel
    case labelTooLong
    case nameTooLong
    /// `[…]` or a name with `:` that is not an IPv6 address.
    case invalidIPv6
    /// Ends in a number, so resolvers read it as IPv4, but it is not an address.
    case invalidIPv4
    /// `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`: what it means, so the agent can write that.
    case nonCanonicalIPv4(meaning: IPv4Address)

    public var reason: String {
        switch self {
        case .empty: return "the host is empty"
        case .nonASCII: return "the host is not ASCII; write internationalised names in their xn-- form"
        case .invalidCharacter(let character) where character == ":" || character == "@":
            return "the host contains '\(character)'; send the name alone, without port or user"
        case .invalidCharacter(let character): return "the host contains '\(character)'"
        case .emptyLabel: return "the host has an empty label (two dots in a row, or a leading dot)"
        case .labelTooLong: return "a label of the host is longer than 63 characters"
        case .nameTooLong: return "the host is longer than 253 characters"
        case .invalidIPv6: return "the host is not a valid IPv6 address"
        case .invalidIPv4: return "the host ends in a number but is not an IPv4 address"
        case .nonCanonicalIPv4(let meaning):
            return "the host is a non-canonical form of the IPv4 address \(meaning); write it as \(meaning)"
        }
    }
}
