import Core
import Testing
@testable import Scheduler

@Suite struct SignalInboxTests {
    @Test func signalsPostedBeforeAReadArriveAsOneBatchWithEachSessionOnce() async {
        let inbox = SignalInbox()
        for _ in 0..<1_000 { inbox.post(.runQueued(session: "ses_a")) }
        inbox.post(.runFinished(session: "ses_b", run: "run_1"))
        inbox.post(.sessionArchived(session: "ses_c"))
        inbox.post(.tasksChanged)
        let batch = await inbox.next()
        #expect(batch?.appended == ["ses_a"])
        #expect(batch?.changed == ["ses_b"])
        #expect(batch?.archived == ["ses_c"])
        #expect(batch?.tasksChanged == true)
    }

    @Test func aWaitingReaderGetsTheFirstSignalAndTheNextBatchStartsEmpty() async {
        let inbox = SignalInbox()
        async let first = inbox.next()
        // The reader may or may not be parked yet: either way the signal is delivered once.
        inbox.post(.runQueued(session: "ses_a"))
        #expect(await first?.appended == ["ses_a"])
        inbox.post(.tasksChanged)
        let second = await inbox.next()
        #expect(second?.appended.isEmpty == true)
        #expect(second?.tasksChanged == true)
    }

    @Test func closingEndsAWaitingReaderAndEveryLaterRead() async {
        let inbox = SignalInbox()
        async let waiting = inbox.next()
        inbox.close()
        #expect(await waiting == nil)
        inbox.post(.runQueued(session: "ses_a"))
        #expect(await inbox.next() == nil)
    }
}
