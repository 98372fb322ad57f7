import CLinux
import Foundation

/// One client connection, confined to its event loop. It carries one exchange at a time and
/// goes back to the pool when a response ends cleanly on a keep-alive connection.
final class ClientConnection: EventHandler, @unchecked Sendable {
    enum Delivery {
        /// Collect the whole body, then resume once.
        case buffered(CheckedContinuation<ClientResponse, any Error>)
        /// Resume with the head; the body is pulled chunk by chunk.
        case streaming(CheckedContinuation<(ResponseHead, ClientBodyStream), any Error>)
    }

    struct Exchange {
        var serial: UInt64
        var method: String
        var delivery: Delivery
        var idleTimeout: UInt64
        var head: ResponseHead?
        var body: [UInt8] = []
        var decoder: ChunkedDecoder?
        var remaining = 0
        var headDelivered = false
        var done = false
        var failure: HTTPClientError?
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }

    let fd: Int32
    let loop: EventLoop
    let key: String
    /// Strong: a connection can outlive its client (shutdown closes connections on their loops
    /// after the client may be gone). The cycle with an idle connection ends when it closes.
    let pool: ConnectionPool
    var token: UInt64 = 0
    var connected = false
    var closed = false
    /// Why the connection closed before an exchange could start (e.g. connect refused).
    var closeReason: HTTPClientError?
    var wasReused = false
    var exchange: Exchange?
    var exchangeSerial: UInt64 = 0
    /// What the exchange sends: the request as written (plaintext, even on a TLS connection).
    var output: [UInt8] = []
    var outputSent = 0
    /// On a TLS connection, the session between the socket and the parser; `wire` then holds
    /// the ciphertext on its way to the socket.
    let tls: TLSChannel?
    var wire: [UInt8] = []
    var wireSent = 0
    var pending: [UInt8] = []
    var scanner = HeadScanner()
    var canRead = false
    /// Epoll reported the peer's FIN (or an error). Edge-triggered, it will not say so again,
    /// so a short read must not end reading: the EOF behind the data still has to be read.
    var peerHungUp = false
    var lastProgress: UInt64 = 0
    var deadline: UInt64 = 0
    var timerScheduledAt: UInt64 = 0
    let maxBodyBytes: Int
    static let streamBufferLimit = 1 << 20

    init(fd: Int32, loop: EventLoop, key: String, pool: ConnectionPool, tls: TLSChannel?, maxBodyBytes: Int) {
        self.fd = fd
        self.loop = loop
        self.key = key
        self.pool = pool
        self.tls = tls
        self.maxBodyBytes = maxBodyBytes
    }

    // MARK: starting an exchange (loop thread)

    func start(_ request: ClientRequest, host: String, delivery: Delivery, idleTimeout: Duration?) {
        guard !closed, exchange == nil else {
            fail(delivery, closeReason ?? .connectionClosed)
            return
        }
        exchangeSerial += 1
        exchange = Exchange(serial: exchangeSerial, method: request.method, delivery: delivery, idleTimeout: idleTimeout?.nanoseconds ?? 0)
        Self.serialize(request, host: host, into: &output)
        lastProgress = loop.now
        if connected { flush() }
        drive()
    }

    static func serialize(_ request: ClientRequest, host: String, into out: inout [UInt8]) {
        out.append(contentsOf: "\(request.method) \(request.target) HTTP/1.1\r\n".utf8)
        if !request.headers.contains("Host") { out.append(contentsOf: "Host: \(host)\r\n".utf8) }
        for field in request.headers where !ResponseSerializer.isFramingHeader(field.name) {
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: [58, 32])
            ResponseSerializer.appendSanitized(field.value, to: &out)
            out.append(contentsOf: [13, 10])
        }
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(request.method) {
            out.append(contentsOf: "Content-Length: \(request.body.count)\r\n".utf8)
        }
        out.append(contentsOf: [13, 10])
        out.append(contentsOf: request.body)
    }

    // MARK: events

    func handleEvent(_ flags: UInt32) {
        if !connected, flags & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            var error: Int32 = 0
            var length = socklen_t(4)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else {
                failAndClose(.connect(SystemError("connect", errno: error)))
                return
            }
            connected = true
            if tls != nil { startHandshake() }
            guard !closed else { return }
        }
        if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { canRead = true }
        if flags & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 { peerHungUp = true }
        if flags & EPOLLOUT.rawValue != 0, hasUnsentOutput { flush() }
        drive()
    }

    private var wantsInput: Bool {
        guard let e = exchange else { return true } // idle: any input means the server closed
        if case .streaming = e.delivery, e.headDelivered, e.body.count >= Self.streamBufferLimit { return false }
        return !e.done
    }

    func drive() {
        while !closed && canRead && wantsInput { readOnce() }
        guard !closed else { return }
        updateDeadline()
    }

    private func readOnce() {
        let n = recv(fd, loop.scratch, EventLoop.scratchSize, 0)
        if n > 0 {
            if n < EventLoop.scratchSize && !peerHungUp { canRead = false }
            lastProgress = loop.now
            if tls != nil { receiveCiphertext(count: n); return }
            guard exchange != nil else { close(); return } // unsolicited bytes on an idle connection
            pending.append(contentsOf: UnsafeBufferPointer(start: loop.scratch, count: n))
            parse()
        } else if n == 0 {
            canRead = false
            endOfInput()
        } else if errno == EAGAIN || errno == EWOULDBLOCK {
            canRead = false
        } else if errno != EINTR {
            failAndClose(.io(SystemError("recv")))
        }
    }

    func endOfInput() {
        guard var e = exchange, e.head != nil, case .untilClose = e.head!.framing, !e.done else {
            failAndClose(.connectionClosed)
            return
        }
        if let tls, !tls.peerClosed {
            failAndClose(.tls(TLSError(.truncated, "\(tls.peer) closed the connection without close_notify "
                                       + "before the end of a body that only a close ends")))
            return
        }
        e.done = true
        exchange = e
        deliver()
        close()
    }

    // MARK: parsing the response

    func parse() {
        while var e = exchange, !closed, !e.done, !pending.isEmpty {
            if e.head == nil {
                let result: Result<(ResponseHead, Int)?, HTTPParseError> = pending.withUnsafeBufferPointer { buf in
                    do {
                        switch try scanner.scan(buf, limit: 64 * 1024) {
                        case .incomplete: return .success(nil)
                        case .complete(let end):
                            let head = try ResponseHeadParser().parse(buf, end: end, requestMethod: e.method)
                            return .success((head, end))
                        }
                    } catch { return .failure(error as? HTTPParseError ?? .invalidStatusLine) }
                }
                switch result {
                case .failure(let error): failAndClose(.protocolError(error)); return
                case .success(nil): return
                case .success(let (head, end)?):
                    pending.removeFirst(end)
                    scanner.reset()
                    if head.status.code < 200 && head.status.code != 101 { continue } // interim (100 Continue)
                    e.head = head
                    switch head.framing {
                    case .length(let n):
                        guard n <= maxBodyBytes else { failAndClose(.responseTooLarge); return }
                        e.remaining = n
                    case .chunked: e.decoder = ChunkedDecoder(maxBodySize: maxBodyBytes)
                    case .none: e.done = true
                    case .untilClose: break
                    }
                    exchange = e
                    deliver()
                }
            } else {
                consumeBody(&e)
                exchange = e
                if closed { return }
                deliver()
                if e.body.count >= Self.streamBufferLimit, case .streaming = e.delivery { return }
            }
        }
    }

    private func consumeBody(_ e: inout Exchange) {
        switch e.head!.framing {
        case .length:
            let take = min(e.remaining, pending.count)
            e.body.append(contentsOf: pending[0..<take])
            pending.removeFirst(take)
            e.remaining -= take
            if e.remaining == 0 { e.done = true }
        case .chunked:
            do {
                let used = try pending.withUnsafeBufferPointer { try e.decoder!.decode($0, into: &e.body) }
                pending.removeFirst(used)
                if e.decoder!.isComplete { e.done = true }
            } catch {
                failAndClose(.protocolError(error as? HTTPParseError ?? .invalidChunk))
            }
        case .untilClose:
            guard e.body.count + pending.count <= maxBodyBytes || isStreaming(e) else {
                failAndClose(.responseTooLarge); return
            }
            e.body.append(contentsOf: pending)
            pending.removeAll()
        case .none:
            e.done = true
        }
    }

    private func isStreaming(_ e: Exchange) -> Bool { if case .streaming = e.delivery { return true }; return false }

    /// Hands over whatever the consumer can take now; finishes the exchange when it is done.
    private func deliver() {
        guard var e = exchange, let head = e.head else { return }
        switch e.delivery {
        case .buffered(let continuation):
            guard e.done else { return }
            exchange = nil
            // Back in the pool before the caller resumes, so its next request finds it there.
            finishExchange(reusable: head.keepAlive && pending.isEmpty)
            continuation.resume(returning: ClientResponse(status: head.status, headers: head.headers, body: e.body,
                                                          trailers: e.decoder?.trailers ?? [:]))
        case .streaming(let continuation):
            if !e.headDelivered {
                e.headDelivered = true
                exchange = e
                continuation.resume(returning: (head, ClientBodyStream(connection: self, serial: e.serial)))
            }
            serveWaiter()
        }
    }

    /// The consumer of a streamed body asks for the next chunk (nil at the end).
    func nextChunk(serial: UInt64, _ continuation: CheckedContinuation<[UInt8]?, any Error>) {
        guard var e = exchange, e.serial == serial else {
            continuation.resume(returning: nil)
            return
        }
        e.waiter = continuation
        exchange = e
        serveWaiter()
        if !closed { drive() }
    }

    private func serveWaiter() {
        guard var e = exchange, let waiter = e.waiter else { return }
        if !e.body.isEmpty {
            let chunk = e.body
            e.body = []
            e.waiter = nil
            exchange = e
            waiter.resume(returning: chunk)
        } else if let failure = e.failure {
            e.waiter = nil
            exchange = nil
            waiter.resume(throwing: failure)
        } else if e.done {
            exchange = nil
            finishExchange(reusable: e.head!.keepAlive && pending.isEmpty)
            waiter.resume(returning: nil)
        }
    }

    /// The consumer dropped a streamed body before its end: the connection cannot be reused.
    func abandon(serial: UInt64) {
        guard let e = exchange, e.serial == serial else { return }
        exchange = nil
        close()
    }

    private func finishExchange(reusable: Bool) {
        guard !closed else { return }
        if reusable {
            wasReused = true
            deadline = 0
            pool.checkIn(self)
            drive() // notice a close that already arrived
        } else {
            close()
        }
    }

    // MARK: failure, timers, writing

    private func fail(_ delivery: Delivery, _ error: HTTPClientError) {
        switch delivery {
        case .buffered(let c): c.resume(throwing: error)
        case .streaming(let c): c.resume(throwing: error)
        }
    }

    func failAndClose(_ error: HTTPClientError) {
        if closeReason == nil { closeReason = error }
        if var e = exchange {
            if e.headDelivered {
                e.failure = error
                exchange = e
                serveWaiter()
            } else {
                exchange = nil
                fail(e.delivery, error)
            }
        }
        close()
    }

    private func updateDeadline() {
        guard let e = exchange, e.idleTimeout > 0 else { deadline = 0; return }
        deadline = lastProgress + e.idleTimeout
        if timerScheduledAt == 0 || deadline < timerScheduledAt {
            timerScheduledAt = deadline
            loop.scheduleTimer(token: token, at: deadline)
        }
    }

    func timerFired(scheduledFor at: UInt64, now: UInt64) {
        if at == timerScheduledAt { timerScheduledAt = 0 }
        guard !closed, deadline != 0 else { return }
        if deadline <= now {
            failAndClose(.timedOut)
        } else if timerScheduledAt == 0 {
            timerScheduledAt = deadline
            loop.scheduleTimer(token: token, at: deadline)
        }
    }

    func flush() {
        if let tls { flushEncrypted(tls); return }
        switch Sockets.send(fd, output, sent: &outputSent) {
        case .failed(let error): failAndClose(.io(error)); return
        case .progressed: lastProgress = loop.now
        case .wouldBlock: break
        }
        if outputSent == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 16 * 1024)
            outputSent = 0
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        pool.remove(self)
        if tls != nil { sendCloseNotify() }
        if var e = exchange {
            e.failure = e.failure ?? .connectionClosed
            exchange = e
            if e.headDelivered { serveWaiter() } else { exchange = nil; fail(e.delivery, .connectionClosed) }
        }
        loop.deregister(fd: fd, token: token)
        Glibc.close(fd)
    }
}

extension ClientConnection: LoopShutdownAware {
    func loopIsStopping() { failAndClose(.shutDown) }
}

/// The body of a streamed response, pulled chunk by chunk. Reading pauses while a megabyte is
/// waiting unconsumed, so a slow consumer slows the server instead of filling memory.
public final class ClientBodyStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    private let connection: ClientConnection
    private let serial: UInt64

    init(connection: ClientConnection, serial: UInt64) {
        self.connection = connection
        self.serial = serial
    }

    deinit {
        let connection = self.connection, serial = self.serial
        connection.loop.execute { connection.abandon(serial: serial) }
    }

    public func next() async throws -> [UInt8]? {
        let connection = self.connection, serial = self.serial
        return try await withCheckedThrowingContinuation { continuation in
            connection.loop.execute { connection.nextChunk(serial: serial, continuation) }
        }
    }

    /// Reads everything that is left.
    public func collect() async throws -> [UInt8] {
        var all: [UInt8] = []
        while let chunk = try await next() { all.append(contentsOf: chunk) }
        return all
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: ClientBodyStream
        public mutating func next() async throws -> [UInt8]? { try await stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
