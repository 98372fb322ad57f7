extension ChannelPlatform {
    /// The longest message the platform accepts, in its own unit.
    public var messageLimit: TextLimit {
        switch self {
        // chat.postMessage truncates `text` beyond 40,000 characters; Warden escapes `&<>`
        // first, so the limit counts the escaped text.
        case .slack: return TextLimit(maximum: 40_000) { SlackText.escapedLength($0) }
        case .telegram: return .utf16(4096)
        case .discord: return .utf16(2000)
        case .whatsapp: return .utf16(4096)
        case .github: return .utf16(65_536)
        // Linear documents no limit; GitHub's keeps a comment reviewable.
        case .linear: return .utf16(65_536)
        // Teams refuses activities over about 28 KB, envelope and JSON escaping included: the
        // text gets 25,000 bytes of it.
        case .teams: return .utf8(25_000)
        case .googleChat: return .utf16(4096)
        }
    }
}

/// Slack's section blocks hold at most 3,000 characters of text.
let slackSectionLimit = TextLimit(maximum: 3000) { SlackText.escapedLength($0) }

extension TextLimit {
    /// `text` cut to the limit at the best boundary, with an ellipsis when cut, for fields that
    /// hold one piece of text (a card's summary) rather than a series of messages.
    func truncating(_ text: String) -> String {
        guard cost(of: text) > maximum else { return text }
        let shorter = TextLimit(maximum: maximum - cost(of: "…"), scalarCost: scalarCost)
        return (MessageSplitter.split(text, limit: shorter).first ?? "") + "…"
    }
}
