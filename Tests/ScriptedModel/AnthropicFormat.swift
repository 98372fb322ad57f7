import Foundation

/// The Anthropic Messages API (`POST /v1/messages`): request checks the real API makes, and
/// responses as JSON or as its event stream.
enum AnthropicFormat {
    /// What the real API refuses with 400/401, so a malformed agent request fails here too.
    static func problem(headers: [String: String], body: [String: Any]) -> (status: Int, type: String, message: String)? {
        if headers["x-api-key"]?.isEmpty ?? true { return (401, "authentication_error", "x-api-key header is required") }
        if headers["anthropic-version"] == nil { return (400, "invalid_request_error", "anthropic-version header is required") }
        guard body["model"] is String else { return (400, "invalid_request_error", "model: Field required") }
        guard body["max_tokens"] is Int else { return (400, "invalid_request_error", "max_tokens: Field required") }
        guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else {
            return (400, "invalid_request_error", "messages: at least one message is required")
        }
        for (index, message) in messages.enumerated() {
            guard let role = message["role"] as? String, role == "user" || role == "assistant" else {
                return (400, "invalid_request_error", "messages.\(index).role: must be user or assistant")
            }
            let blocks = message["content"] as? [[String: Any]] ?? []
            if blocks.contains(where: { $0["type"] as? String == "text" && ($0["text"] as? String ?? "").isEmpty }) {
                return (400, "invalid_request_error", "messages.\(index): text content blocks must be non-empty")
            }
            let toolUseIDs = blocks.filter { $0["type"] as? String == "tool_use" }.compactMap { $0["id"] as? String }
            guard role == "assistant", !toolUseIDs.isEmpty, index + 1 < messages.count else { continue }
            let next = messages[index + 1]["content"] as? [[String: Any]] ?? []
            let answered = Set(next.filter { $0["type"] as? String == "tool_result" }.compactMap { $0["tool_use_id"] as? String })
            if !Set(toolUseIDs).isSubset(of: answered) {
                return (400, "invalid_request_error",
                        "messages.\(index + 1): `tool_use` ids were found without `tool_result` blocks immediately after")
            }
        }
        return nil
    }

    static func errorBody(type: String, message: String) -> [UInt8] {
        WireJSON.bytes(["type": "error", "error": ["type": type, "message": message]])
    }

    static func message(id: String, model: String, text: String, calls: [(id: String, call: ScriptedToolCall)],
                        stopReason: String, usage: (input: Int, output: Int)) -> [UInt8] {
        var content: [[String: Any]] = []
        if !text.isEmpty { content.append(["type": "text", "text": text]) }
        for (callID, call) in calls {
            content.append(["type": "tool_use", "id": callID, "name": call.name, "input": WireJSON.parse(call.inputJSON)])
        }
        return WireJSON.bytes([
            "id": id, "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": stopReason, "stop_sequence": NSNull(),
            "usage": ["input_tokens": usage.input, "output_tokens": usage.output],
        ])
    }

    /// The events of a streamed answer, each a complete `event:`/`data:` block.
    static func events(id: String, model: String, text: String, calls: [(id: String, call: ScriptedToolCall)],
                       stopReason: String, usage: (input: Int, output: Int), chunkSize: Int) -> [String] {
        var events = [event("message_start", [
            "type": "message_start",
            "message": ["id": id, "type": "message", "role": "assistant", "model": model, "content": [Any](),
                        "stop_reason": NSNull(), "stop_sequence": NSNull(),
                        "usage": ["input_tokens": usage.input, "output_tokens": 1]] as [String: Any],
        ])]
        events.append(event("ping", ["type": "ping"]))
        var index = 0
        if !text.isEmpty {
            events.append(event("content_block_start", ["type": "content_block_start", "index": index,
                                                        "content_block": ["type": "text", "text": ""]]))
            for piece in WireJSON.pieces(text, size: chunkSize) {
                events.append(event("content_block_delta", ["type": "content_block_delta", "index": index,
                                                            "delta": ["type": "text_delta", "text": piece]]))
            }
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": index]))
            index += 1
        }
        for (callID, call) in calls {
            events.append(event("content_block_start", [
                "type": "content_block_start", "index": index,
                "content_block": ["type": "tool_use", "id": callID, "name": call.name, "input": [String: Any]()] as [String: Any],
            ]))
            // The real API opens with an empty piece.
            for piece in [""] + WireJSON.pieces(call.inputJSON, size: chunkSize) {
                events.append(event("content_block_delta", ["type": "content_block_delta", "index": index,
                                                            "delta": ["type": "input_json_delta", "partial_json": piece]]))
            }
            events.append(event("content_block_stop", ["type": "content_block_stop", "index": index]))
            index += 1
        }
        events.append(event("message_delta", ["type": "message_delta",
                                              "delta": ["stop_reason": stopReason, "stop_sequence": NSNull()],
                                              "usage": ["output_tokens": usage.output]]))
        events.append(event("message_stop", ["type": "message_stop"]))
        return events
    }

    static func streamErrorEvents(id: String, model: String, type: String, message: String) -> [String] {
        [event("message_start", ["type": "message_start",
                                 "message": ["id": id, "type": "message", "role": "assistant", "model": model,
                                             "content": [Any](), "usage": ["input_tokens": 1, "output_tokens": 1]] as [String: Any]]),
         event("error", ["type": "error", "error": ["type": type, "message": message]])]
    }

    static func event(_ name: String, _ data: [String: Any]) -> String {
        "event: \(name)\ndata: \(WireJSON.text(data))\n\n"
    }
}
