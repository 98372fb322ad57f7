/// The assistant's reply of one run as it streams in: every piece is posted to warden as a
/// delta right away, one post at a time; pieces that arrive while a post is in flight go out
/// together in the next one. Keeps the whole text for the final message.
actor ReplyStream {
    private let warden: WardenClient
    private let runID: String
    private let log: EventLog
    private let onRunFinished: @Sendable () -> Void
    private var unsent = ""
    private var posting: Task<Void, Never>?
    private var separateNextPiece = false
    private(set) var text = ""
    /// Warden answered 409 to a delta: the run is over.
    private(set) var runFinished = false

    init(warden: WardenClient, runID: String, log: EventLog, onRunFinished: @escaping @Sendable () -> Void) {
        self.warden = warden
        self.runID = runID
        self.log = log
        self.onRunFinished = onRunFinished
    }

    /// A new model call starts: its text is a new paragraph of the same reply.
    func beginTurn() { separateNextPiece = !text.isEmpty }

    func append(_ piece: String) {
        guard !piece.isEmpty, !runFinished else { return }
        let piece = separateNextPiece ? "\n\n" + piece : piece
        separateNextPiece = false
        text += piece
        unsent += piece
        if posting == nil { postUnsent() }
    }

    /// Returns once every piece appended so far has been posted (or the run is over).
    func flush() async {
        while let task = posting { await task.value }
    }

    private func postUnsent() {
        let batch = unsent
        unsent = ""
        posting = Task {
            do throws(WardenError) {
                try await warden.postDelta(runID: runID, text: batch)
            } catch .runFinished {
                runFinished = true
                onRunFinished()
            } catch {
                // A lost delta costs only latency to a watcher: the final message has the whole text.
                log.warning("delta.failed", ["run_id": .string(runID), "error": .string(error.description)])
            }
            posted()
        }
    }

    private func posted() {
        posting = nil
        if !unsent.isEmpty && !runFinished { postUnsent() }
    }
}
