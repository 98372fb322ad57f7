/// Rebuilds a Messages API response from its stream: `message_start`, then per content block
/// `content_block_start`, `content_block_delta`s and `content_block_stop`, then `message_delta`
/// (stop reason, usage) and `message_stop`. Unknown events and block types are skipped, as the
/// API asks of clients.
struct AnthropicStreamAssembler {
    private enum Block {
        case text(String)
        case toolUse(id: String, name: String, startInput: JSONValue, partialJSON: String)
    }

    private var blocks: [Int: Block] = [:]
    private var order: [Int] = []
    private var stopReason: String?
    /// Input tokens by kind (plain, cache writes, cache reads); each is reported separately.
    private var inputTokens: [String: Int] = [:]
    private var outputTokens = 0
    private(set) var isFinished = false

    /// Applies one event; returns the text it adds to the reply, if any.
    mutating func apply(_ event: SSEEvent) throws(ModelError) -> String? {
        guard let data = JSONValue.parse(Array(event.data.utf8)) else {
            throw .malformed("the data of a \(event.event) event is not JSON")
        }
        switch data["type"]?.stringValue ?? event.event {
        case "message_start":
            readUsage(data["message"]?["usage"])
        case "content_block_start":
            guard let index = data["index"]?.intValue, let block = data["content_block"] else {
                throw .malformed("content_block_start without an index or block")
            }
            return start(block, at: index)
        case "content_block_delta":
            guard let index = data["index"]?.intValue, let delta = data["delta"] else {
                throw .malformed("content_block_delta without an index or delta")
            }
            return try applyDelta(delta, at: index)
        case "message_delta":
            if let reason = data["delta"]?["stop_reason"]?.stringValue { stopReason = reason }
            readUsage(data["usage"])
        case "message_stop":
            isFinished = true
        case "error":
            throw .streamError(type: data["error"]?["type"]?.stringValue,
                               message: data["error"]?["message"]?.stringValue ?? "no details")
        default:
            break // ping, content_block_stop, and anything newer
        }
        return nil
    }

    func turn() throws(ModelError) -> ModelTurn {
        guard isFinished else { throw .malformed("the stream ended before message_stop") }
        let result: [AssistantBlock] = order.compactMap { index in
            switch blocks[index]! {
            case .text(let text): return .text(text)
            case .toolUse(let id, let name, let startInput, let partialJSON):
                let raw = partialJSON.isEmpty ? startInput.jsonText : partialJSON
                return .toolUse(ToolUse(id: id, name: name, rawInput: raw))
            }
        }
        let usage = Usage(inputTokens: inputTokens.values.reduce(0, +), outputTokens: outputTokens)
        return ModelTurn(blocks: result, stopReason: stopReason ?? "end_turn", usage: usage)
    }

    private mutating func start(_ block: JSONValue, at index: Int) -> String? {
        switch block["type"]?.stringValue {
        case "text":
            let text = block["text"]?.stringValue ?? ""
            insert(.text(text), at: index)
            return text.isEmpty ? nil : text
        case "tool_use":
            insert(.toolUse(id: block["id"]?.stringValue ?? "toolu_\(index)", name: block["name"]?.stringValue ?? "",
                            startInput: block["input"] ?? [:], partialJSON: ""), at: index)
        default:
            break // thinking and server-side tool blocks are not ours to replay
        }
        return nil
    }

    private mutating func applyDelta(_ delta: JSONValue, at index: Int) throws(ModelError) -> String? {
        switch (delta["type"]?.stringValue, blocks[index]) {
        case ("text_delta", .text(let text)?):
            let piece = delta["text"]?.stringValue ?? ""
            blocks[index] = .text(text + piece)
            return piece.isEmpty ? nil : piece
        case ("input_json_delta", .toolUse(let id, let name, let startInput, let partialJSON)?):
            let piece = delta["partial_json"]?.stringValue ?? ""
            blocks[index] = .toolUse(id: id, name: name, startInput: startInput, partialJSON: partialJSON + piece)
            return nil
        case ("text_delta", _), ("input_json_delta", _):
            throw .malformed("a \(delta["type"]!.stringValue!) for block \(index), which is not of that kind")
        default:
            return nil
        }
    }

    private mutating func insert(_ block: Block, at index: Int) {
        if blocks[index] == nil { order.append(index) }
        blocks[index] = block
    }

    /// `message_start` carries the input count; `message_delta` the cumulative output count
    /// (and, in newer versions, the input count again).
    private mutating func readUsage(_ value: JSONValue?) {
        guard let value else { return }
        for kind in ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"] {
            if let count = value[kind]?.intValue { inputTokens[kind] = count }
        }
        if let output = value["output_tokens"]?.intValue { outputTokens = output }
    }
}
