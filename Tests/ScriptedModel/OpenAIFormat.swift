import Foundation

/// OpenAI chat completions (`POST /v1/chat/completions`): request checks, and responses as
/// JSON or as `data:` chunks ending with `data: [DONE]`.
enum OpenAIFormat {
    static func problem(headers: [String: String], body: [String: Any]) -> (status: Int, type: String, message: String)? {
        guard let authorization = headers["authorization"], authorization.hasPrefix("Bearer "), authorization.count > 7 else {
            return (401, "invalid_request_error", "You didn't provide an API key (Authorization: Bearer).")
        }
        guard body["model"] is String else { return (400, "invalid_request_error", "you must provide a model parameter") }
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else {
            return (400, "invalid_request_error", "messages: must be a non-empty array")
        }
        var unanswered: Set<String> = []
        for (index, message) in messages.enumerated() {
            let role = message["role"] as? String ?? ""
            guard ["system", "user", "assistant", "tool"].contains(role) else {
                return (400, "invalid_request_error", "messages[\(index)].role: invalid value '\(role)'")
            }
            if role == "tool" {
                guard let id = message["tool_call_id"] as? String, unanswered.remove(id) != nil else {
                    return (400, "invalid_request_error",
                            "messages[\(index)]: messages with role 'tool' must be a response to a preceding message with 'tool_calls'")
                }
                continue
            }
            if !unanswered.isEmpty {
                return (400, "invalid_request_error",
                        "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'")
            }
            for call in message["tool_calls"] as? [[String: Any]] ?? [] {
                if let id = call["id"] as? String { unanswered.insert(id) }
            }
        }
        return nil
    }

    static func errorBody(type: String, message: String) -> [UInt8] {
        WireJSON.bytes(["error": ["message": message, "type": type, "param": NSNull(), "code": NSNull()] as [String: Any]])
    }

    static func finishReason(_ stopReason: String) -> String {
        switch stopReason {
        case "tool_use": return "tool_calls"
        case "max_tokens": return "length"
        default: return "stop"
        }
    }

    static func completion(id: String, model: String, text: String, calls: [(id: String, call: ScriptedToolCall)],
                           stopReason: String, usage: (input: Int, output: Int)) -> [UInt8] {
        var message: [String: Any] = ["role": "assistant", "content": text.isEmpty ? NSNull() : text]
        if !calls.isEmpty {
            message["tool_calls"] = calls.map { callID, call in
                ["id": callID, "type": "function", "function": ["name": call.name, "arguments": call.inputJSON]] as [String: Any]
            }
        }
        return WireJSON.bytes([
            "id": id, "object": "chat.completion", "created": Int(Date().timeIntervalSince1970), "model": model,
            "choices": [["index": 0, "message": message, "finish_reason": finishReason(stopReason)] as [String: Any]],
            "usage": ["prompt_tokens": usage.input, "completion_tokens": usage.output, "total_tokens": usage.input + usage.output],
        ])
    }

    static func chunks(id: String, model: String, text: String, calls: [(id: String, call: ScriptedToolCall)],
                       stopReason: String, usage: (input: Int, output: Int), includeUsage: Bool, chunkSize: Int) -> [String] {
        let created = Int(Date().timeIntervalSince1970)
        func chunk(_ delta: [String: Any], finish: String? = nil) -> String {
            var object: [String: Any] = [
                "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [["index": 0, "delta": delta, "finish_reason": finish ?? NSNull()] as [String: Any]],
            ]
            if includeUsage { object["usage"] = NSNull() }
            return "data: \(WireJSON.text(object))\n\n"
        }
        var chunks = [chunk(["role": "assistant", "content": ""])]
        for piece in WireJSON.pieces(text, size: chunkSize) { chunks.append(chunk(["content": piece])) }
        for (index, (callID, call)) in calls.enumerated() {
            chunks.append(chunk(["tool_calls": [["index": index, "id": callID, "type": "function",
                                                 "function": ["name": call.name, "arguments": ""]] as [String: Any]]]))
            for piece in WireJSON.pieces(call.inputJSON, size: chunkSize) {
                chunks.append(chunk(["tool_calls": [["index": index, "function": ["arguments": piece]] as [String: Any]]]))
            }
        }
        chunks.append(chunk([:], finish: finishReason(stopReason)))
        if includeUsage {
            let object: [String: Any] = [
                "id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [Any](),
                "usage": ["prompt_tokens": usage.input, "completion_tokens": usage.output, "total_tokens": usage.input + usage.output],
            ]
            chunks.append("data: \(WireJSON.text(object))\n\n")
        }
        chunks.append("data: [DONE]\n\n")
        return chunks
    }

    static func streamErrorChunks(type: String, message: String) -> [String] {
        ["data: \(WireJSON.text(["error": ["message": message, "type": type]]))\n\n"]
    }
}
