import Core

/// Linear GraphQL API: `commentCreate` on the issue, in the thread of the comment answered.
/// Approval prompts are comments with the commands to type. https://linear.app/developers/graphql
enum LinearOutbound: PlatformOutbound {
    static let platform = ChannelPlatform.linear
    static let mutation = "mutation CommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id } } }"

    static func message(_ text: String, to target: ReplyTarget, isFirst: Bool, credential: String) -> OutboundRequest {
        .json("POST", "https://api.linear.app/graphql", .fields([
            "query": .string(mutation),
            "variables": .fields(["input": .fields([
                "issueId": .string(target.thread.conversationID),
                "body": .string(text),
                // Every message of a reply goes into the thread; Linear threads one level deep.
                "parentId": .optional(target.anchorMessageID ?? target.thread.threadID),
            ])]),
        ]), authorization: bearer(credential))
    }
}
