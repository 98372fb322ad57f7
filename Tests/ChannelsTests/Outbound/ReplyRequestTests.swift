import ChannelTestSupport
import Channels
import Core
import Testing

/// The request each platform's API takes to post a reply into a thread, placeholder in place of the token.
@Suite struct ReplyRequestTests {
    @Test func slackPostsIntoTheThreadWithABearerPlaceholder() throws {
        let target = ReplyTarget(thread: thread(.slack, workspace: "T1", conversation: "C123", thread: "1515449522.000016"))
        let request = try #require(try ChannelOutbound.replies("a < b & c", to: target, credential: placeholder).first)
        #expect(request.method == "POST")
        #expect(request.url == "https://slack.com/api/chat.postMessage")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        #expect(request.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(request.credential == .header("Authorization"))
        let body = try request.json()
        #expect(body.string("channel") == "C123")
        #expect(body.string("thread_ts") == "1515449522.000016")
        #expect(body.string("text") == "a &lt; b &amp; c")
    }

    @Test func telegramPutsThePlaceholderInThePathAndRepliesToTheMessageOnce() throws {
        let target = ReplyTarget(thread: thread(.telegram, conversation: "-1001234567890", thread: "77"), anchorMessageID: "2241")
        let requests = try ChannelOutbound.replies(String(repeating: "word ", count: 1000), to: target, credential: placeholder)
        #expect(requests.count == 2)
        let first = requests[0]
        #expect(first.url == "https://api.telegram.org/bot\(placeholder)/sendMessage")
        #expect(first.credential == .urlPath)
        #expect(first.headers["Authorization"] == nil)
        let body = try first.json()
        #expect(body.at("chat_id") == .integer(-1001234567890))
        #expect(body.at("message_thread_id") == .integer(77))
        #expect(body.at("reply_parameters.message_id") == .integer(2241))
        #expect(try requests[1].json().at("reply_parameters") == nil)
        #expect(body.string("text").map { $0.utf16.count <= 4096 } == true)
    }

    @Test func discordPostsToTheChannelAsTheBotWithoutPinging() throws {
        let target = ReplyTarget(thread: thread(.discord, workspace: "290926798626357999", conversation: "645027906669510667"),
                                 anchorMessageID: "844397162624450620")
        let requests = try ChannelOutbound.replies(String(repeating: "x", count: 2001), to: target, credential: placeholder)
        #expect(requests.count == 2)
        let request = requests[0]
        #expect(request.url == "https://discord.com/api/v10/channels/645027906669510667/messages")
        #expect(request.headers["Authorization"] == "Bot \(placeholder)")
        #expect(request.headers["User-Agent"]?.hasPrefix("DiscordBot (") == true)
        let body = try request.json()
        #expect(body.string("content")?.count == 2000)
        #expect(body.count("allowed_mentions.parse") == 0)
        #expect(body.string("message_reference.message_id") == "844397162624450620")
        #expect(try requests[1].json().at("message_reference") == nil)
    }

    @Test func whatsAppSendsATextMessageFromTheBusinessNumber() throws {
        let target = ReplyTarget(thread: thread(.whatsapp, workspace: "106540352242922", conversation: "16505551234"),
                                 anchorMessageID: "wamid.ABC")
        let request = try #require(try ChannelOutbound.replies("Blue, yes.", to: target, credential: placeholder).first)
        #expect(request.url == "https://graph.facebook.com/v21.0/106540352242922/messages")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        let body = try request.json()
        #expect(body.string("messaging_product") == "whatsapp")
        #expect(body.string("to") == "16505551234")
        #expect(body.string("type") == "text")
        #expect(body.string("text.body") == "Blue, yes.")
        #expect(body.string("context.message_id") == "wamid.ABC")
        #expect(throws: OutboundError.self) {
            try ChannelOutbound.replies("x", to: ReplyTarget(thread: thread(.whatsapp, conversation: "1")), credential: placeholder)
        }
    }

    @Test func gitHubCommentsOnTheIssueOrRepliesInTheReviewThread() throws {
        let issue = ReplyTarget(thread: thread(.github, conversation: "octocat/Hello-World", thread: "issues/1347"))
        let request = try #require(try ChannelOutbound.replies("Reproduced.", to: issue, credential: placeholder).first)
        #expect(request.url == "https://api.github.com/repos/octocat/Hello-World/issues/1347/comments")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        #expect(request.headers["Accept"] == "application/vnd.github+json")
        #expect(request.headers["X-GitHub-Api-Version"] == "2022-11-28")
        #expect(request.headers["User-Agent"] != nil)
        #expect(try request.json().string("body") == "Reproduced.")

        let review = ReplyTarget(thread: thread(.github, conversation: "octocat/Hello-World", thread: "pulls/2/comments/284312630"))
        let reply = try #require(try ChannelOutbound.replies("Not needed.", to: review, credential: placeholder).first)
        #expect(reply.url == "https://api.github.com/repos/octocat/Hello-World/pulls/2/comments/284312630/replies")

        let broken = ReplyTarget(thread: thread(.github, conversation: "octocat/Hello-World", thread: "issues/../../x"))
        #expect(throws: OutboundError.self) { try ChannelOutbound.replies("x", to: broken, credential: placeholder) }
    }

    @Test func linearCreatesACommentInTheThread() throws {
        let target = ReplyTarget(thread: thread(.linear, workspace: "org", conversation: "c7b5f3a2", thread: "root-comment"),
                                 anchorMessageID: "root-comment")
        let request = try #require(try ChannelOutbound.replies("Looking.", to: target, credential: placeholder).first)
        #expect(request.url == "https://api.linear.app/graphql")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        let body = try request.json()
        #expect(body.string("query")?.contains("commentCreate(input: $input)") == true)
        #expect(body.string("variables.input.issueId") == "c7b5f3a2")
        #expect(body.string("variables.input.body") == "Looking.")
        #expect(body.string("variables.input.parentId") == "root-comment")
    }

    @Test func teamsRepliesToTheActivityInItsConversation() throws {
        let target = ReplyTarget(thread: thread(.teams, conversation: "19:253b@thread.tacv2", thread: "1485983408511",
                                                serviceURL: "https://smba.trafficmanager.net/amer/"),
                                 anchorMessageID: "1485983408511")
        let request = try #require(try ChannelOutbound.replies("Summary: …", to: target, credential: placeholder).first)
        #expect(request.url == "https://smba.trafficmanager.net/amer/v3/conversations/19%3A253b%40thread.tacv2%3Bmessageid%3D1485983408511/activities/1485983408511")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        let body = try request.json()
        #expect(body.string("type") == "message")
        #expect(body.string("text") == "Summary: …")
        #expect(body.string("replyToId") == "1485983408511")
        #expect(throws: OutboundError.missing(.teams, "the conversation's serviceUrl")) {
            try ChannelOutbound.replies("x", to: ReplyTarget(thread: thread(.teams, conversation: "a:1")), credential: placeholder)
        }
    }

    @Test func teamsSplitsByBytes() throws {
        let target = ReplyTarget(thread: thread(.teams, conversation: "a:1", serviceURL: "https://smba.trafficmanager.net/amer"))
        let requests = try ChannelOutbound.replies(String(repeating: "ü", count: 20_000), to: target, credential: placeholder)
        #expect(requests.count == 2)
        #expect(try requests[0].json().string("text")?.utf8.count == 25_000)
        #expect(requests[0].url == "https://smba.trafficmanager.net/amer/v3/conversations/a%3A1/activities")
    }

    @Test func googleChatCreatesTheMessageInTheThread() throws {
        let target = ReplyTarget(thread: thread(.googleChat, conversation: "spaces/AAAAAAAAAAA", thread: "spaces/AAAAAAAAAAA/threads/BBBBBBBBBBB"))
        let request = try #require(try ChannelOutbound.replies("Up: nothing.", to: target, credential: placeholder).first)
        #expect(request.url == "https://chat.googleapis.com/v1/spaces/AAAAAAAAAAA/messages?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")
        #expect(request.headers["Authorization"] == "Bearer \(placeholder)")
        let body = try request.json()
        #expect(body.string("text") == "Up: nothing.")
        #expect(body.string("thread.name") == "spaces/AAAAAAAAAAA/threads/BBBBBBBBBBB")
    }

    @Test func aBlankReplyIsNoRequest() throws {
        let target = ReplyTarget(thread: thread(.slack, conversation: "C1"))
        #expect(try ChannelOutbound.replies("  \n", to: target, credential: placeholder).isEmpty)
    }

    @Test func aReplyToAParsedMessageGoesBackWhereItCameFrom() throws {
        let message = try message(parse(.telegram, TelegramPayloads.groupMention,
                                        bot: BotIdentity(ids: [TelegramPayloads.botUserID], handles: [TelegramPayloads.botUsername])))
        let request = try #require(try ChannelOutbound.replies("It timed out.", to: message.replyTarget, credential: placeholder).first)
        let body = try request.json()
        #expect(body.at("chat_id") == .integer(-1001234567890))
        #expect(body.at("reply_parameters.message_id") == .integer(2241))
    }
}
