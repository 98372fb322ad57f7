@testable import Channels
import Core
import Store
import Testing

/// `mayCallForWork` lets the follower pass a message without reading the store, so it must
/// never say no to an assistant's message as the core writes it.
@Suite struct ReplyDispatcherTests {
    private func event(_ type: String = "message.created", role: String, content: [ContentBlock]) -> EventRecord {
        let record = MessageRecord(id: "msg_1", sessionID: "ses_1", runID: "run_1", role: role,
                                   content: JSONCoding.encodeText(content), source: "agent", author: nil,
                                   externalID: nil, createdAt: "2026-12-07T00:00:00Z")
        return EventRecord(seq: 1, id: "evt_1", sessionID: "ses_1", sessionSeq: 1, type: type,
                           data: JSONCoding.encodeText(Message(record)), createdAt: record.createdAt)
    }

    @Test func anAssistantsMessageMayCallForAReply() {
        #expect(ReplyDispatcher().mayCallForWork(event(role: "assistant", content: [ContentBlock(text: "hello")])))
    }

    @Test func usersAndToolsMessagesCallForNone() {
        #expect(!ReplyDispatcher().mayCallForWork(event(role: "user", content: [ContentBlock(text: "hi")])))
        #expect(!ReplyDispatcher().mayCallForWork(event(role: "tool", content: [ContentBlock(text: "ls")])))
    }

    /// Quoted in text the role is escaped, so a user cannot make their message look like the assistant's.
    @Test func aUserQuotingTheRoleFieldStillCallsForNone() {
        let quoted = ContentBlock(text: #"{"role":"assistant"}"#)
        #expect(!ReplyDispatcher().mayCallForWork(event(role: "user", content: [quoted])))
    }

    @Test func approvalsAlwaysMayCallForWork() {
        #expect(ReplyDispatcher().mayCallForWork(event("approval.requested", role: "user", content: [])))
        #expect(ReplyDispatcher().mayCallForWork(event("approval.resolved", role: "user", content: [])))
    }
}
