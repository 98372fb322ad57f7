import ChannelTestSupport
import Channels
import Testing

@Suite struct GitHubParsingTests {
    let bot = BotIdentity(ids: [GitHubPayloads.botLogin, GitHubPayloads.botUserID], handles: ["warden-app"])

    @Test func pingIsAnsweredWithAnEmptyObject() throws {
        let reply = try handshake(parse(.github, GitHubPayloads.ping, bot: bot, headers: GitHubPayloads.headers(event: "ping")))
        #expect(reply.status == 200)
        #expect(reply.contentType == "application/json")
        #expect(reply.bodyText == "{}")
    }

    @Test func anIssueCommentIsAMessageInTheIssueThread() throws {
        let body = GitHubPayloads.issueComment(body: "@warden-app can you reproduce this? /cc @hubot")
        let message = try message(parse(.github, body, bot: bot, headers: GitHubPayloads.headers(event: "issue_comment")))
        #expect(message.deliveryID == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        #expect(message.messageID == "comment:1146825")
        #expect(message.thread == ThreadRef(platform: .github, conversationID: "octocat/Hello-World", threadID: "issues/1347"))
        #expect(message.author == ChannelAuthor(id: "1", displayName: "octocat"))
        #expect(message.text == "can you reproduce this? /cc @hubot")
        #expect(message.mentions == ["hubot"])
        #expect(message.mentionsBot)
    }

    @Test func anOpenedIssueIsAMessageOfTitleAndBody() throws {
        let message = try message(parse(.github, GitHubPayloads.issueOpened, bot: bot, headers: GitHubPayloads.headers(event: "issues")))
        #expect(message.text == "Spelling error in the README file\n\nIt looks like you accidently spelled 'commit' with two 't's.")
        #expect(message.thread.threadID == "issues/1")
        #expect(message.messageID == "issue:444500041")
        #expect(!message.mentionsBot)
    }

    @Test func aReviewCommentReplyIsInItsReviewThread() throws {
        let message = try message(parse(.github, GitHubPayloads.reviewCommentReply, bot: bot,
                                        headers: GitHubPayloads.headers(event: "pull_request_review_comment")))
        #expect(message.thread.threadID == "pulls/2/comments/284312630")
        #expect(message.replyTo == "284312630")
        #expect(message.text == "is this line needed?")
        #expect(message.mentionsBot)
    }

    @Test func theBotsOwnCommentIsIgnored() throws {
        let own = GitHubPayloads.issueComment(body: "Here is what I found.", login: GitHubPayloads.botLogin, userID: 136000001, type: "Bot")
        #expect(try ignoredReason(parse(.github, own, bot: bot, headers: GitHubPayloads.headers(event: "issue_comment"))) == .ownMessage)
    }

    @Test func anotherBotsCommentIsMarkedAsABot() throws {
        let other = GitHubPayloads.issueComment(body: "Coverage 91%", login: "codecov[bot]", userID: 22429695, type: "Bot")
        let message = try message(parse(.github, other, bot: bot, headers: GitHubPayloads.headers(event: "issue_comment")))
        #expect(message.author == ChannelAuthor(id: "22429695", displayName: "codecov[bot]", isBot: true))
    }

    @Test func editsAndOtherEventsAreIgnored() throws {
        let edited = GitHubPayloads.issueComment(body: "typo", action: "edited")
        #expect(try ignoredReason(parse(.github, edited, bot: bot, headers: GitHubPayloads.headers(event: "issue_comment"))) == .edit)
        let push = #"{"ref": "refs/heads/main", "repository": {"full_name": "octocat/Hello-World"}}"#
        #expect(try ignoredReason(parse(.github, push, bot: bot, headers: GitHubPayloads.headers(event: "push"))) == .unsupported("push"))
        let labeled = replacing(GitHubPayloads.issueOpened, [("\"opened\"", "\"labeled\"")])
        #expect(try ignoredReason(parse(.github, labeled, bot: bot, headers: GitHubPayloads.headers(event: "issues"))) == .unsupported("issues.labeled"))
    }

    @Test func aTextCommandIsAnApprovalAction() throws {
        let body = GitHubPayloads.issueComment(body: "/approve \(approvalID)")
        let action = try approval(parse(.github, body, bot: bot, headers: GitHubPayloads.headers(event: "issue_comment")))
        #expect(action.decision == .approve)
        #expect(action.approvalID == approvalID)
        #expect(action.actor.id == "1")
        #expect(action.deliveryID == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
    }

    @Test func malformedDeliveriesAreParseFailures() {
        #expect(throws: ParseFailure.missingHeader(.github, header: "X-GitHub-Event")) {
            try parse(.github, GitHubPayloads.issueOpened, bot: bot, headers: ["X-GitHub-Delivery": "x"])
        }
        #expect(throws: ParseFailure.missingHeader(.github, header: "X-GitHub-Delivery")) {
            try parse(.github, GitHubPayloads.issueOpened, bot: bot, headers: ["X-GitHub-Event": "issues"])
        }
        #expect(throws: ParseFailure.notJSON(.github)) {
            try parse(.github, "payload=%7B%7D", bot: bot, headers: GitHubPayloads.headers(event: "issues"))
        }
        #expect(throws: ParseFailure.missingField(.github, field: "comment.user.id")) {
            try parse(.github, replacing(GitHubPayloads.issueComment(body: "hi"), [("\"id\": 1, \"type\": \"User\", \"site_admin\"", "\"type\": \"User\", \"site_admin\"")]),
                      bot: bot, headers: GitHubPayloads.headers(event: "issue_comment"))
        }
    }
}
