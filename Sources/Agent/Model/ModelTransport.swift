import HTTP

/// POSTs a streaming request to the proxy socket and hands back its Server-Sent Events.
struct ModelTransport: Sendable {
    let http: HTTPClient
    let proxy: SocketAddress
    let idleTimeout: Duration

    func events(path: String, headers: HTTPHeaders, body: JSONValue) async throws(ModelError) -> SSEStream {
        var headers = headers
        headers.set("Content-Type", "application/json")
        headers.set("Accept", "text/event-stream")
        let request = ClientRequest(method: "POST", target: path, headers: headers, body: body.jsonBytes)
        let head: ResponseHead
        let body: ClientBodyStream
        do {
            (head, body) = try await http.stream(request, to: proxy, idleTimeout: .some(idleTimeout))
        } catch {
            throw .unreachable(error)
        }
        guard (200..<300).contains(head.status.code) else {
            throw Self.httpError(status: head.status.code, body: (try? await body.collect()) ?? [])
        }
        return SSEStream(body)
    }

    /// Both providers (and the proxy) answer errors as `{"error": {"type"?, "message"}}`.
    static func httpError(status: Int, body: [UInt8]) -> ModelError {
        let error = JSONValue.parse(body)?["error"]
        let message = error?["message"]?.stringValue
            ?? error?.stringValue
            ?? String(decoding: body.prefix(500), as: UTF8.self)
        return .http(status: status, type: error?["type"]?.stringValue ?? error?["code"]?.stringValue,
                     message: message.isEmpty ? "no details" : message)
    }
}

/// The events of a streamed response. Reading stops at once when the task is cancelled (the run
/// was abandoned), even while the model is silent: a pump task reads the socket, and the reader
/// waits on a stream that cancellation ends.
struct SSEStream: Sendable {
    private let chunks: AsyncThrowingStream<[UInt8], any Error>

    init(_ body: ClientBodyStream) {
        chunks = AsyncThrowingStream { continuation in
            let pump = Task {
                do {
                    while let chunk = try await body.next() {
                        if case .terminated = continuation.yield(chunk) { return }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
    }

    struct Iterator {
        var chunks: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        var parser = SSEParser()
        var ready: [SSEEvent] = []

        /// The next event; nil at the end of the body.
        mutating func next() async throws(ModelError) -> SSEEvent? {
            while ready.isEmpty {
                let chunk: [UInt8]?
                do { chunk = try await chunks.next() } catch {
                    throw (error as? HTTPClientError).map { .unreachable($0) } ?? .malformed("\(error)")
                }
                if Task.isCancelled { throw .cancelled }
                guard let chunk else { return nil }
                do { ready = try parser.feed(chunk) } catch { throw .malformed("an event line is too long") }
            }
            return ready.removeFirst()
        }
    }

    func makeIterator() -> Iterator { Iterator(chunks: chunks.makeAsyncIterator()) }
}
