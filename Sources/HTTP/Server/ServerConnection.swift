import CLinux
import Foundation

/// One accepted connection: reads requests, hands them to the handler, writes responses in
/// order. Confined to its event loop; the only entries from other threads go through
/// `loop.execute` (async handler completions and streamed body writes).
final class ServerConnection: EventHandler, @unchecked Sendable {
    enum Phase {
        /// Waiting for, or reading, a request head.
        case head
        /// Reading the body of `head`.
        case body(RequestHead, BodyReader)
        /// A handler is working on the request; input is not read meanwhile.
        case handling
        /// A streamed response is being produced off the loop.
        case streaming(StreamState)
        /// The last response is queued; after it is flushed the connection is closed.
        case closing
        /// Write side shut down; reading and discarding until EOF or the linger timeout.
        case lingering(since: UInt64)
        /// A 2xx answer to CONNECT is queued; once the current read is processed the
        /// connection becomes a tunnel (bytes pipelined behind the head go through it).
        case tunnelStarting(TunnelUpstream)
        /// The same for a CONNECT answered with `.intercept`: the connection then speaks TLS
        /// (bytes pipelined behind the head are the start of the ClientHello).
        case interceptStarting(TLSInterception)
        /// Bytes are spliced between the client and the upstream (`Tunnel`).
        case tunnel(Tunnel)
    }

    /// A class, not a struct: the standard library's continuation has no fixed layout, and
    /// inside `Phase` it made every `switch phase` on the request path ask the runtime which
    /// case it holds (swift_getEnumCaseMultiPayload). Confined to the loop like the connection.
    final class StreamState {
        let chunked: Bool
        let keepAlive: Bool
        var task: Task<Void, Never>?
        var waiter: CheckedContinuation<Void, any Error>?

        init(chunked: Bool, keepAlive: Bool) {
            self.chunked = chunked
            self.keepAlive = keepAlive
        }
    }

    struct RequestContext {
        var method: String
        var version: HTTPVersion
        var keepAlive: Bool
        var requestID: String
    }

    let fd: Int32
    let loop: EventLoop
    let server: ServerCore
    let remoteAddress: String
    let listenerContext: (any Sendable)?
    var token: UInt64 = 0

    var phase: Phase = .head
    var pending: [UInt8] = []          // unparsed input kept between reads
    var output: [UInt8] = []
    var outputSent = 0
    var scanner = HeadScanner()
    var canRead = false
    var peerClosed = false
    var closed = false
    var current: RequestContext?
    /// Fired when the client goes away; handed to every request dispatched on this connection.
    let disconnect = ClientDisconnect()
    /// Set once a CONNECT on this connection was intercepted; nil on plaintext connections.
    var tls: InterceptedSession?
    /// True until the first byte of a request line is seen (empty lines before it are skipped).
    var scannedNothingYet = true
    var skippedEmptyBytes = 0

    // Deadlines, in loop monotonic nanoseconds; 0 means none.
    var requestStart: UInt64 = 0
    var lastProgress: UInt64
    var lastWrite: UInt64
    var servedRequests = 0
    var deadline: UInt64 = 0
    var timerScheduledAt: UInt64 = 0

    init(fd: Int32, loop: EventLoop, server: ServerCore, remoteAddress: String, listenerContext: (any Sendable)?) {
        self.fd = fd
        self.loop = loop
        self.server = server
        self.remoteAddress = remoteAddress
        self.listenerContext = listenerContext
        lastProgress = loop.now
        lastWrite = loop.now
    }

    var config: ServerConfiguration { server.configuration }
    var hasPendingOutput: Bool { outputSent < output.count || tls?.hasUnsentWire == true }

    // MARK: events

    func handleEvent(_ flags: UInt32) {
        if case .tunnel(let tunnel) = phase {
            tunnel.clientEvent(flags)
            return
        }
        if flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && flags & EPOLLIN.rawValue == 0 {
            abort()
            return
        }
        if flags & EPOLLOUT.rawValue != 0, hasPendingOutput { flush() }
        if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 { canRead = true }
        // While a handler runs nothing is read, so the EOF itself would wait for the response.
        if flags & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 { disconnect.fire() }
        drive()
    }

    /// Reads what the socket has while the connection wants input, processes it, and flushes.
    func drive() {
        while !closed {
            if !pending.isEmpty && wantsInput { processPending() }
            guard canRead, wantsInput || isLingering else { break }
            readOnce()
        }
        guard !closed else { return }
        switch phase {
        case .tunnelStarting(let upstream):
            startTunnel(upstream)
            return
        case .interceptStarting(let interception):
            startInterception(interception)
            return
        default:
            break
        }
        if hasPendingOutput { flush() }
        guard !closed else { return }
        // Only after flushing: a client that half-closes still gets what it asked for.
        if peerClosed { peerDidClose() }
        guard !closed else { return }
        if case .closing = phase, !hasPendingOutput { beginLingering() }
        guard !closed else { return }
        updateDeadline()
    }

    var wantsInput: Bool {
        switch phase {
        case .head, .body: return output.count - outputSent < config.outputHighWater
        default: return false
        }
    }

    var isLingering: Bool { if case .lingering = phase { return true }; return false }

    private func readOnce() {
        let capacity = EventLoop.scratchSize
        let n = recv(fd, loop.scratch, capacity, 0)
        if n > 0 {
            if n < capacity { canRead = false } // a short read drained the socket; ET will tell us of more
            if isLingering { return }
            lastProgress = loop.now
            if let tls {
                receiveCiphertext(UnsafeRawBufferPointer(start: loop.scratch, count: n), tls)
            } else if pending.isEmpty {
                let consumed = process(UnsafeBufferPointer(start: loop.scratch, count: n))
                if !closed && consumed < n && keepsInput {
                    pending.append(contentsOf: UnsafeBufferPointer(start: loop.scratch + consumed, count: n - consumed))
                }
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(start: loop.scratch, count: n))
                processPending()
            }
        } else if n == 0 {
            canRead = false
            peerClosed = true
            disconnect.fire()
        } else {
            switch errno {
            case EAGAIN, EWOULDBLOCK: canRead = false
            case EINTR: break
            default: abort()
            }
        }
    }

    private func processPending() {
        // Take the bytes out first: answering a request may discard `pending` (Connection: close,
        // a rejection), which must not happen while its buffer is borrowed.
        var buffer = pending
        pending = []
        let consumed = buffer.withUnsafeBufferPointer { process($0) }
        guard !closed, keepsInput, consumed < buffer.count else { return }
        buffer.removeFirst(consumed)
        pending = buffer
    }

    /// False once the connection is on its way out: unread input is then discarded.
    private var keepsInput: Bool {
        switch phase {
        case .closing, .lingering: return false
        default: return true
        }
    }

    private func peerDidClose() {
        switch phase {
        case .head, .body:
            // Nothing more can arrive: finish writing what is queued, then close. A partial
            // request left behind can never complete.
            if hasPendingOutput {
                phase = .closing
                pending = []
            } else {
                close()
            }
        case .lingering:
            close()
        case .handling, .streaming, .closing, .tunnelStarting, .interceptStarting, .tunnel:
            break
        }
    }

    // MARK: parsing

    /// Parses as many requests from `buf` as the phase allows; returns the bytes consumed.
    private func process(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        var offset = 0
        while !closed, offset < buf.count, wantsInput {
            let view = UnsafeBufferPointer(rebasing: buf[offset...])
            switch phase {
            case .head:
                // Empty lines before a request are tolerated (RFC 9112 §2.2) but count towards
                // the head's time and size limits, so they cannot hold a connection open.
                if requestStart == 0 { requestStart = loop.now }
                if scannedNothingYet {
                    let skip = HeadScanner.leadingEmptyLines(view)
                    if skip == view.count - 1, view[skip] == ASCII.cr {
                        return offset + skip // an empty line's CR arrived without its LF yet
                    }
                    if skip > 0 {
                        skippedEmptyBytes += skip
                        guard skippedEmptyBytes <= config.maxHeaderBytes else {
                            reject(.headersTooLarge)
                            return buf.count
                        }
                        offset += skip
                        continue
                    }
                    scannedNothingYet = false
                }
                do {
                    switch try scanner.scan(view, limit: config.maxHeaderBytes) {
                    case .incomplete:
                        return offset
                    case .complete(let end):
                        let head = try RequestHeadParser(maxHeaderCount: config.maxHeaderCount).parse(view, end: end)
                        offset += end
                        try beginBody(head, alreadyBuffered: buf.count - offset)
                    }
                } catch {
                    reject(error)
                    return buf.count
                }
            case .body(let head, var reader):
                phase = .handling // drop the reference so appends to the body do not copy it
                do {
                    offset += try reader.consume(view)
                } catch {
                    reject(error)
                    return buf.count
                }
                if reader.isComplete {
                    dispatch(head, body: reader.body, trailers: reader.trailers)
                } else {
                    phase = .body(head, reader)
                }
            default:
                return offset
            }
        }
        return offset
    }

    private func beginBody(_ head: RequestHead, alreadyBuffered: Int) throws(HTTPParseError) {
        switch head.framing {
        case .none, .untilClose:
            dispatch(head, body: [], trailers: [:])
        case .length(let n):
            guard n <= config.maxBodyBytes else { throw .bodyTooLarge }
            if head.expectsContinue && alreadyBuffered == 0 { sendContinue() }
            phase = .body(head, BodyReader(length: n))
            lastProgress = loop.now
        case .chunked:
            if head.expectsContinue && alreadyBuffered == 0 { sendContinue() }
            phase = .body(head, BodyReader(chunked: ChunkedDecoder(maxBodySize: config.maxBodyBytes,
                                                                   maxTrailerSize: config.maxHeaderBytes,
                                                                   maxHeaderCount: config.maxHeaderCount)))
            lastProgress = loop.now
        }
    }

    private func sendContinue() {
        output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
    }

    /// A protocol error: answer with the envelope and close, since framing is lost.
    private func reject(_ error: HTTPParseError) {
        server.statistics.parseErrors.add(1, ordering: .relaxed)
        let context = RequestContext(method: "GET", version: .http1_1, keepAlive: false,
                                     requestID: server.makeRequestID(on: loop))
        current = context
        write(ErrorEnvelope.response(for: error, requestID: context.requestID), context: context)
    }

    // MARK: timers

    func updateDeadline() {
        var d: UInt64
        switch phase {
        case .head:
            if requestStart != 0 {
                d = requestStart + config.headerTimeout.nanoseconds
            } else if servedRequests == 0 {
                d = lastProgress + config.headerTimeout.nanoseconds
            } else {
                d = lastProgress + config.idleTimeout.nanoseconds
            }
        case .body: d = lastProgress + config.bodyTimeout.nanoseconds
        case .handling, .streaming, .closing, .tunnelStarting, .interceptStarting: d = 0
        case .lingering(let since): d = since + config.lingerTimeout.nanoseconds
        case .tunnel(let tunnel): d = tunnel.deadline
        }
        if hasPendingOutput {
            let w = lastWrite + config.writeTimeout.nanoseconds
            d = d == 0 ? w : min(d, w)
        }
        deadline = d
        if d != 0, timerScheduledAt == 0 || d < timerScheduledAt {
            timerScheduledAt = d
            loop.scheduleTimer(token: token, at: d)
        }
    }

    func timerFired(scheduledFor at: UInt64, now: UInt64) {
        guard !closed else { return }
        if at == timerScheduledAt { timerScheduledAt = 0 }
        guard deadline != 0 else { return }
        guard deadline <= now else {
            if timerScheduledAt == 0 {
                timerScheduledAt = deadline
                loop.scheduleTimer(token: token, at: deadline)
            }
            return
        }
        if hasPendingOutput && lastWrite + config.writeTimeout.nanoseconds <= now {
            abort() // the client stopped reading
            return
        }
        switch phase {
        case .head where requestStart == 0, .lingering, .tunnel:
            close()
        case .head where tls?.channel.isEstablished == false:
            handshakeTimedOut()
        case .head, .body:
            server.statistics.timeouts.add(1, ordering: .relaxed)
            let context = RequestContext(method: "GET", version: .http1_1, keepAlive: false,
                                         requestID: server.makeRequestID(on: loop))
            current = context
            write(ErrorEnvelope.response(for: HTTPError(.requestTimeout, code: "request_timeout",
                message: "The request was not received in time."), requestID: context.requestID), context: context)
            drive()
        default:
            break
        }
    }

    // MARK: closing

    private func beginLingering() {
        if let tls { sendCloseNotify(tls) }
        shutdown(fd, Int32(SHUT_WR))
        phase = .lingering(since: loop.now)
        pending = []
        canRead = true
        drive()
    }

    /// Drop the connection now: the peer is gone or misbehaving.
    func abort() { close() }

    func close() {
        guard !closed else { return }
        closed = true
        disconnect.fire()
        if case .streaming(let state) = phase {
            state.task?.cancel()
            state.waiter?.resume(throwing: ConnectionClosedError())
            state.waiter = nil
        }
        if case .tunnel(let tunnel) = phase { tunnel.close() }
        if case .tunnelStarting(let upstream) = phase { upstream.discard() }
        if let tls { sendCloseNotify(tls) }
        loop.deregister(fd: fd, token: token)
        Glibc.close(fd)
        pending = []
        output = []
        server.connectionClosed(self)
    }
}

extension ServerConnection: LoopShutdownAware {
    func loopIsStopping() { close() }
}

public struct ConnectionClosedError: Error, CustomStringConvertible {
    public var description: String { "The client connection is closed." }
}
