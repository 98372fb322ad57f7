import CLinux
import Foundation

extension ServerConnection {
    /// Hands a complete request to the handler. Fast handlers answer inline; `.async` ones run
    /// off the loop and their response comes back through `loop.execute`.
    func dispatch(_ head: RequestHead, body: [UInt8], trailers: HTTPHeaders) {
        requestStart = 0
        scannedNothingYet = true
        skippedEmptyBytes = 0
        servedRequests += 1
        server.statistics.requests.add(1, ordering: .relaxed)
        let requestID = server.requestID(from: head.headers, on: loop)
        let context = RequestContext(method: head.method, version: head.version,
                                     keepAlive: head.keepAlive && !server.isDraining, requestID: requestID)
        current = context
        phase = .handling
        var request = Request(method: head.method, target: head.targetForm, version: head.version,
                              headers: head.headers, body: body, trailers: trailers, requestID: requestID,
                              remoteAddress: remoteAddress, listenerContext: tls == nil ? listenerContext : tls!.connectionContext,
                              tlsServerName: tls?.serverName)
        request.disconnect = disconnect
        let result = if let tls { tls.handler.handle(request) } else { server.handler.handle(request) }
        switch result {
        case .response(let response):
            write(response, context: context)
        case .async(let work):
            let loop = self.loop
            Task {
                let response = await work()
                loop.execute { [self] in
                    guard !closed else {
                        if case .tunnel(let upstream) = response.body { upstream.discard() }
                        return
                    }
                    write(response, context: context)
                    drive()
                }
            }
        }
    }

    /// Queues `response` for `context`'s request. Streams start their producer here.
    func write(_ response: Response, context: RequestContext) {
        let status = response.status
        let sendsBody = context.method != "HEAD" && status.allowsBody
        let keepAlive = context.keepAlive && !server.isDraining
        let date = loop.dateCache.current()
        switch response.body {
        case .bytes(let bytes):
            ResponseSerializer.head(status: status, headers: response.headers,
                                    framing: status.allowsBody ? .length(bytes.count) : .none,
                                    keepAlive: keepAlive, version: context.version, requestID: context.requestID,
                                    date: date, into: &output)
            if sendsBody { output.append(contentsOf: bytes) }
            finishResponse(keepAlive: keepAlive)
        case .stream(let producer):
            let chunked = context.version == .http1_1
            // HTTP/1.0 has no chunked coding: the body ends when the connection does.
            let streamKeepAlive = keepAlive && chunked
            ResponseSerializer.head(status: status, headers: response.headers,
                                    framing: !status.allowsBody ? .none : (chunked ? .chunked : .untilClose),
                                    keepAlive: streamKeepAlive, version: context.version,
                                    requestID: context.requestID, date: date, into: &output)
            guard sendsBody else {
                finishResponse(keepAlive: streamKeepAlive)
                return
            }
            let state = StreamState(chunked: chunked, keepAlive: streamKeepAlive)
            phase = .streaming(state)
            let writer = BodyWriter(connection: self)
            let loop = self.loop
            let task = Task {
                let failure: (any Error)?
                do { try await producer(writer); failure = nil } catch { failure = error }
                loop.execute { [self] in streamFinished(failure) }
            }
            state.task = task
        case .tunnel(let upstream):
            guard queueSwitchHead(response, context: context) else { upstream.discard(); return }
            phase = .tunnelStarting(upstream)
        case .intercept(let interception):
            guard queueSwitchHead(response, context: context) else { return }
            phase = .interceptStarting(interception)
        }
    }

    /// A tunnel or an interception is a 2xx to CONNECT (RFC 9110 §9.3.6), whose head carries no
    /// framing headers; queues that head and returns true. Otherwise answers with the head
    /// alone and closes: another status or method is sent as it is, a 2xx to CONNECT while
    /// draining becomes 503 (no new tunnel starts), and inside an intercepted connection 501,
    /// since a tunnel or TLS session inside another one is not supported.
    private func queueSwitchHead(_ response: Response, context: RequestContext) -> Bool {
        let status = response.status
        let connectSucceeded = context.method == "CONNECT" && (200..<300).contains(status.code)
        guard connectSucceeded, tls == nil, !server.isDraining else {
            let refused = !connectSucceeded ? Response(status: status, headers: response.headers)
                : tls != nil ? Response(status: .notImplemented) : Response(status: .serviceUnavailable)
            write(refused, context: RequestContext(method: context.method, version: context.version,
                                                   keepAlive: false, requestID: context.requestID))
            return false
        }
        ResponseSerializer.head(status: status, headers: response.headers, framing: .none, keepAlive: true,
                                version: context.version, requestID: context.requestID,
                                date: loop.dateCache.current(), into: &output)
        current = nil
        return true
    }

    /// Turns the connection into a tunnel: the queued head and whatever the client pipelined
    /// behind the CONNECT go first.
    func startTunnel(_ upstream: TunnelUpstream) {
        guard let upstreamFD = upstream.take() else { abort(); return }
        let toClient = Array(output[outputSent...])
        let tunnel = Tunnel(connection: self, upstream: upstream, upstreamFD: upstreamFD, toClient: toClient,
                            fromClient: pending)
        output = []
        outputSent = 0
        pending = []
        phase = .tunnel(tunnel)
        server.statistics.tunnels.add(1, ordering: .relaxed)
        do {
            try tunnel.start()
        } catch {
            abort()
        }
    }

    func finishResponse(keepAlive: Bool) {
        current = nil
        lastProgress = loop.now
        if keepAlive && !server.isDraining {
            phase = .head
            scanner.reset()
        } else {
            phase = .closing
            pending = []
        }
    }

    // MARK: streaming

    func streamWrite(_ bytes: [UInt8], _ continuation: CheckedContinuation<Void, any Error>) {
        guard !closed, case .streaming(let state) = phase else {
            continuation.resume(throwing: ConnectionClosedError())
            return
        }
        guard !bytes.isEmpty else { continuation.resume(); return }
        if state.chunked {
            ResponseSerializer.chunkHeader(bytes.count, into: &output)
            output.append(contentsOf: bytes)
            output.append(contentsOf: [13, 10])
        } else {
            output.append(contentsOf: bytes)
        }
        flush()
        guard !closed else {
            continuation.resume(throwing: ConnectionClosedError())
            return
        }
        if output.count - outputSent > config.outputHighWater {
            // Back-pressure: the producer waits until the client has read enough.
            state.waiter = continuation
        } else {
            continuation.resume()
        }
        updateDeadline()
    }

    func streamFinished(_ failure: (any Error)?) {
        guard !closed, case .streaming(let state) = phase else { return }
        let endedByDrain = failure is CancellationError && server.isDraining
        guard failure == nil || endedByDrain else {
            // Without the terminal chunk the client can tell the body is incomplete.
            abort()
            return
        }
        if state.chunked {
            output.append(contentsOf: "0\r\n\r\n".utf8)
            finishResponse(keepAlive: state.keepAlive)
        } else {
            finishResponse(keepAlive: false)
        }
        drive()
    }

    /// Called when the server starts draining: idle connections go now, streams are asked to end.
    func beginDrain() {
        guard !closed else { return }
        switch phase {
        case .head where requestStart == 0 && pending.isEmpty && !hasPendingOutput:
            close()
        case .streaming(let state):
            state.task?.cancel()
        default:
            break
        }
    }

    // MARK: writing

    func flush() {
        if let tls {
            flushEncrypted(tls)
            guard !closed else { return }
        } else {
            if outputSent == 0 { lastWrite = loop.now }
            switch Sockets.send(fd, output, sent: &outputSent) {
            case .failed: abort(); return
            case .progressed: lastWrite = loop.now
            case .wouldBlock: break
            }
        }
        if outputSent == output.count {
            outputSent = 0
            output.removeAll(keepingCapacity: output.capacity <= 16 * 1024)
        } else if outputSent >= 64 * 1024 {
            output.removeFirst(outputSent)
            outputSent = 0
        }
        if case .streaming(let state) = phase, let waiter = state.waiter,
           output.count - outputSent < config.outputLowWater {
            state.waiter = nil
            waiter.resume()
        }
    }
}

/// The handle a streaming response writes its body through. Each write waits while the
/// client is behind (more than the high-water mark unsent), so a slow reader slows the
/// producer instead of growing the server's memory.
public final class BodyWriter: Sendable {
    private let connection: ServerConnection

    init(connection: ServerConnection) { self.connection = connection }

    public func write(_ bytes: [UInt8]) async throws {
        let connection = self.connection
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            connection.loop.execute { connection.streamWrite(bytes, continuation) }
        }
    }

    public func write(_ text: String) async throws { try await write(Array(text.utf8)) }
}
