/// An address the proxy might dial.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// A canonical dotted quad or any IPv6 text form; nil for anything else (names, inet_aton forms).
    public init?(_ text: String) {
        if let v4 = IPv4Address(dottedQuad: text) {
            self = .v4(v4)
        } else if text.contains(":"), let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let address): return address.description
        case .v6(let address): return address.description
        }
    }
}
