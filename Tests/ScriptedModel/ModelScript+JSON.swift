import Foundation

/// The script file of the `scripted-model` executable:
///
/// ```json
/// {"chunk_size": 8,
///  "when_exhausted": {"reply": "ok"} | "repeat_last" | "fail",
///  "turns": [
///    {"text": "I will write it.", "tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "hi"}}]},
///    {"text": "Done.", "delay_ms": 100, "chunk_delay_ms": 5, "usage": {"input_tokens": 10, "output_tokens": 3}},
///    {"error": {"status": 529, "type": "overloaded_error", "message": "Overloaded"}},
///    {"stream_error": {"type": "overloaded_error", "message": "Overloaded"}},
///    {"hang": true}
///  ]}
/// ```
extension ModelScript {
    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(json data: Data) throws(FormatError) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FormatError(description: "the script is not a JSON object")
        }
        guard let rawTurns = object["turns"] as? [[String: Any]] else {
            throw FormatError(description: "`turns` must be an array of objects")
        }
        var turns: [ScriptedTurn] = []
        for (index, raw) in rawTurns.enumerated() {
            do { turns.append(try Self.turn(raw)) } catch {
                throw FormatError(description: "turns[\(index)]: \(error.description)")
            }
        }
        let whenExhausted: WhenExhausted
        switch object["when_exhausted"] {
        case nil: whenExhausted = .reply("ok")
        case let text as String where text == "repeat_last": whenExhausted = .repeatLast
        case let text as String where text == "fail": whenExhausted = .fail
        case let reply as [String: Any]:
            guard let text = reply["reply"] as? String else { throw FormatError(description: "when_exhausted.reply must be a string") }
            whenExhausted = .reply(text)
        default:
            throw FormatError(description: "when_exhausted must be {\"reply\": text}, \"repeat_last\" or \"fail\"")
        }
        self.init(turns, whenExhausted: whenExhausted, chunkSize: object["chunk_size"] as? Int ?? 8)
    }

    private static func turn(_ raw: [String: Any]) throws(FormatError) -> ScriptedTurn {
        var turn: ScriptedTurn
        if let error = raw["error"] as? [String: Any] {
            turn = .httpError(error["status"] as? Int ?? 500, type: error["type"] as? String ?? "api_error",
                              message: error["message"] as? String ?? "scripted error")
        } else if let error = raw["stream_error"] as? [String: Any] {
            turn = .streamError(type: error["type"] as? String ?? "api_error", message: error["message"] as? String ?? "scripted error")
        } else if raw["hang"] as? Bool == true {
            turn = .hang
        } else {
            var calls: [ScriptedToolCall] = []
            for call in raw["tool_calls"] as? [[String: Any]] ?? [] {
                guard let name = call["name"] as? String else { throw FormatError(description: "a tool call needs a name") }
                let input = call["input"] ?? [String: Any]()
                guard let data = try? JSONSerialization.data(withJSONObject: input, options: [.fragmentsAllowed, .sortedKeys]) else {
                    throw FormatError(description: "the input of \(name) is not JSON")
                }
                calls.append(ScriptedToolCall(name: name, inputJSON: String(decoding: data, as: UTF8.self)))
            }
            let text = raw["text"] as? String ?? ""
            guard !text.isEmpty || !calls.isEmpty else {
                throw FormatError(description: "a turn needs text, tool_calls, error, stream_error or hang")
            }
            turn = .toolCalls(calls, text: text)
        }
        if let ms = raw["delay_ms"] as? Int { turn.delay = .milliseconds(ms) }
        if let ms = raw["chunk_delay_ms"] as? Int { turn.chunkDelay = .milliseconds(ms) }
        if let usage = raw["usage"] as? [String: Any] {
            turn.usage = (usage["input_tokens"] as? Int ?? 0, usage["output_tokens"] as? Int ?? 0)
        }
        turn.stopReason = raw["stop_reason"] as? String
        return turn
    }
}
