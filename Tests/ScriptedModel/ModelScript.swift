import Foundation

/// What the scripted model answers: one turn per model request, in order, across both API
/// formats, then `whenExhausted`.
public struct ModelScript: Sendable {
    public enum WhenExhausted: Sendable, Equatable {
        /// A plain text turn, so a benchmark can send any number of messages.
        case reply(String)
        /// The last scripted turn again (e.g. a delay or an error that should persist).
        case repeatLast
        /// 500: a test that expects no further requests sees the extra one fail.
        case fail
    }

    public var turns: [ScriptedTurn]
    public var whenExhausted: WhenExhausted
    /// Characters per streamed text piece and per piece of tool input JSON.
    public var chunkSize: Int

    public init(_ turns: [ScriptedTurn], whenExhausted: WhenExhausted = .reply("ok"), chunkSize: Int = 8) {
        self.turns = turns
        self.whenExhausted = whenExhausted
        self.chunkSize = max(1, chunkSize)
    }

    /// The turn for the request with this 0-based number; nil means answer "script exhausted".
    func turn(_ number: Int) -> ScriptedTurn? {
        if number < turns.count { return turns[number] }
        switch whenExhausted {
        case .reply(let text): return .text(text)
        case .repeatLast: return turns.last ?? .text("ok")
        case .fail: return nil
        }
    }
}

/// One model answer.
public struct ScriptedTurn: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Text (possibly empty) followed by tool calls (possibly none).
        case answer(text: String, toolCalls: [ScriptedToolCall])
        /// An HTTP error with the provider's error body.
        case httpError(status: Int, type: String, message: String)
        /// A stream that starts, then reports an error event (streaming requests only;
        /// non-streaming ones get the error as HTTP 500).
        case streamError(type: String, message: String)
        /// Never answers (until the server stops).
        case hang
    }

    public var outcome: Outcome
    /// Waits this long before the response starts.
    public var delay: Duration = .zero
    /// Waits this long between streamed events.
    public var chunkDelay: Duration = .zero
    /// Token counts to report; estimated from the sizes when nil.
    public var usage: (input: Int, output: Int)?
    /// Overrides the stop reason (`max_tokens`, …); otherwise `end_turn` or `tool_use`.
    public var stopReason: String?

    public init(_ outcome: Outcome) { self.outcome = outcome }

    public static func text(_ text: String) -> ScriptedTurn { ScriptedTurn(.answer(text: text, toolCalls: [])) }
    public static func toolCalls(_ calls: [ScriptedToolCall], text: String = "") -> ScriptedTurn {
        ScriptedTurn(.answer(text: text, toolCalls: calls))
    }
    public static func toolCall(_ name: String, _ inputJSON: String, text: String = "") -> ScriptedTurn {
        toolCalls([ScriptedToolCall(name: name, inputJSON: inputJSON)], text: text)
    }
    public static func httpError(_ status: Int, type: String = "api_error", message: String) -> ScriptedTurn {
        ScriptedTurn(.httpError(status: status, type: type, message: message))
    }
    public static func streamError(type: String = "overloaded_error", message: String) -> ScriptedTurn {
        ScriptedTurn(.streamError(type: type, message: message))
    }
    public static let hang = ScriptedTurn(.hang)

    public func delayed(by delay: Duration) -> ScriptedTurn {
        var copy = self
        copy.delay = delay
        return copy
    }

    public static func == (a: ScriptedTurn, b: ScriptedTurn) -> Bool {
        a.outcome == b.outcome && a.delay == b.delay && a.chunkDelay == b.chunkDelay && a.stopReason == b.stopReason
            && a.usage?.input == b.usage?.input && a.usage?.output == b.usage?.output
    }
}

/// A tool call the model makes: its input is JSON text, streamed in pieces as real APIs do.
public struct ScriptedToolCall: Sendable, Equatable {
    public var name: String
    public var inputJSON: String

    public init(name: String, inputJSON: String) {
        self.name = name
        self.inputJSON = inputJSON
    }

    /// A call whose input is an object of strings.
    public init(name: String, input: [String: String]) {
        self.name = name
        let data = (try? JSONSerialization.data(withJSONObject: input, options: [.sortedKeys])) ?? Data("{}".utf8)
        inputJSON = String(decoding: data, as: UTF8.self)
    }
}
