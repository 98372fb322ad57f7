import Core

/// GitHub REST API: a comment on the issue or pull request, or a reply in a review thread.
/// Approval prompts are comments with the commands to type.
/// https://docs.github.com/en/rest/issues/comments#create-an-issue-comment
enum GitHubOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.github

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) throws(OutboundError) -> OutboundRequest {
        let repository = target.thread.conversationID.split(separator: "/", omittingEmptySubsequences: false)
        guard repository.count == 2, !repository[0].isEmpty, !repository[1].isEmpty else {
            throw .malformed(platform, "repository \"\(target.thread.conversationID)\"")
        }
        guard let threadID = target.thread.threadID else { throw .missing(platform, "an issue or pull request (threadID)") }
        let base = "https://api.github.com/repos/\(URLPath.segment(String(repository[0])))/\(URLPath.segment(String(repository[1])))"
        return .json("POST", base + (try path(threadID)), .fields(["body": .string(text)]), authorization: bearer(credential),
                     extraHeaders: [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28"),
                                    ("User-Agent", "Warden")])
    }

    /// `issues/42` → the comments; `pulls/42/comments/7` → replies to review comment 7.
    private static func path(_ threadID: String) throws(OutboundError) -> String {
        let parts = threadID.split(separator: "/").map(String.init)
        let numeric = parts.count > 1 && parts[1].allSatisfy(\.isNumber)
        switch parts.count {
        case 2 where parts[0] == "issues" && numeric:
            return "/issues/\(parts[1])/comments"
        case 4 where parts[0] == "pulls" && numeric && parts[2] == "comments" && parts[3].allSatisfy(\.isNumber):
            return "/pulls/\(parts[1])/comments/\(parts[3])/replies"
        default:
            throw .malformed(platform, "thread \"\(threadID)\"")
        }
    }
}
