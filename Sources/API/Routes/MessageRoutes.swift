import Core
import HTTP

/// `content` is a plain string or a list of `{type: "text", text}` blocks.
struct MessageContent: Decodable {
    var blocks: [ContentBlock]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            blocks = [ContentBlock(text: text)]
            return
        }
        guard let raw = try? container.decode([RawBlock].self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "content must be a string or an array of text blocks",
                underlyingError: APIError.invalid("content",
                    "'content' must be a string or an array of {\"type\": \"text\", \"text\": …} blocks.",
                    code: "invalid_type")))
        }
        blocks = []
        for (index, block) in raw.enumerated() {
            guard let type = block.type else {
                throw Self.invalid(decoder, "content[\(index)].type", "Each content block needs a 'type'.", "missing_field")
            }
            guard type == "text" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                    debugDescription: "block \(index) has type '\(type)'; only 'text' is supported",
                    underlyingError: APIError.invalid("content[\(index)].type",
                                                      "Only content blocks of type 'text' are supported.",
                                                      code: "unsupported_content")))
            }
            guard let text = block.text else {
                throw Self.invalid(decoder, "content[\(index)].text", "A text block needs 'text' (a string).", "missing_field")
            }
            blocks.append(ContentBlock(text: text))
        }
    }

    static func invalid(_ decoder: any Decoder, _ param: String, _ message: String, _ code: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: message,
                                          underlyingError: APIError.invalid(param, message, code: code)))
    }

    /// Fields are optional here so a malformed block is reported by its own field name.
    struct RawBlock: Decodable { var type: String?; var text: String? }
}

struct PostMessageBody: Decodable {
    var content: MessageContent
    var role: String?
    var author: String?
}

/// The message's fields, plus the run it queued under `run`.
struct MessageCreated: JSONWritable {
    var message: Message
    var run: Run

    func write(to w: inout JSONWriter) {
        w.objectStart()
        message.writeFields(to: &w)
        w.key("run", run)
        w.objectEnd()
    }
}

enum MessageRoutes {
    static func register(on router: inout Router, _ ctx: APIContext) {
        router.post("/v1/sessions/{id}/messages", ctx.route(Access.sessions, "post messages") { request, principal in
            let id = request.parameters["id"]!
            let body = try JSONBody.decode(PostMessageBody.self, from: request)
            if let role = body.role, role != "user" {
                throw APIError.invalid("role", "Only 'user' messages can be posted; agents answer through runs.")
            }
            let text = body.content.blocks.map(\.text).joined()
            guard !body.content.blocks.isEmpty, !text.isEmpty else {
                throw APIError.invalid("content", "'content' must not be empty.")
            }
            guard text.utf8.count <= 256 * 1024 else { throw APIError.invalid("content", "'content' is limited to 256 KiB.") }
            if let author = body.author, author.unicodeScalars.count > 256 { throw APIError.invalid("author", "'author' is limited to 256 characters.") }
            let message = IncomingMessage(content: body.content.blocks, source: "api", author: body.author)
            let owner = principal.role == .client ? principal.keyID : nil
            return try await Idempotency.run(request, principal, core: ctx.core, status: .created) { tx in
                let (m, r) = try tx.postMessage(message, to: id, visibleTo: owner)
                return MessageCreated(message: m, run: r)
            }
        })
        router.get("/v1/sessions/{id}/messages", ctx.route(Access.sessions, "read messages") { request, principal in
            let id = request.parameters["id"]!
            let page = try Pagination.page(from: request)
            _ = try await ctx.visibleSession(id, for: principal)
            return Pagination.response(try await ctx.core.listMessages(session: id, page: page)) { $0.id }
        })
    }
}
