import Foundation
import Logging

/// A connection's TLS state once a CONNECT on it was intercepted. A class of its own, so a
/// plaintext connection carries one nil reference and nothing else.
final class InterceptedSession {
    let channel: TLSChannel
    let handler: any HTTPHandler
    let connectionContext: (any Sendable)?
    /// The SNI, read once when the handshake completes.
    var serverName: String?
    /// Ciphertext on its way to the socket; first of all, the unsent rest of the plaintext 200.
    var wire: [UInt8]
    var wireSent = 0
    var closeNotifySent = false

    init(channel: TLSChannel, interception: TLSInterception, wire: [UInt8]) {
        self.channel = channel
        handler = interception.handler
        connectionContext = interception.connectionContext
        self.wire = wire
    }

    var hasUnsentWire: Bool { wireSent < wire.count }
}

/// The TLS half of a server connection, on the model of the client's: ciphertext read from the
/// socket goes into the session and plaintext comes out into `pending`, for the same parser,
/// limits and phases plaintext connections use; responses queued in `output` are encrypted a
/// slice at a time as the socket takes them, so a large body never sits in memory twice.
extension ServerConnection {
    /// Switches the connection to TLS once the 200 to the CONNECT is queued. To the parser the
    /// session is a new connection: the handshake must finish within the header timeout
    /// (counted from now, not from the last byte, so a trickled handshake cannot hold it), and
    /// the first request then has a header timeout of its own.
    func startInterception(_ interception: TLSInterception) { startTLS(interception, counted: true) }

    /// `counted`: an intercepted CONNECT (a TLS listener's connections are not interceptions).
    func startTLS(_ interception: TLSInterception, counted: Bool) {
        let channel: TLSChannel
        do {
            channel = try TLSChannel(context: interception.context, peer: remoteAddress)
        } catch {
            server.logger.error("cannot start TLS on an intercepted CONNECT", metadata: ["error": "\(error)"])
            abort()
            return
        }
        let session = InterceptedSession(channel: channel, interception: interception, wire: Array(output[outputSent...]))
        output = []
        outputSent = 0
        tls = session
        if counted { server.statistics.intercepted.add(1, ordering: .relaxed) }
        phase = .head
        scanner.reset()
        servedRequests = 0
        requestStart = loop.now
        lastProgress = loop.now
        let clientHello = pending
        pending = []
        if !clientHello.isEmpty {
            clientHello.withUnsafeBytes { receiveCiphertext($0, session) }
            guard !closed else { return }
        }
        drive()
    }

    /// Feeds ciphertext to the session; the plaintext it yields joins `pending`, which `drive`
    /// parses as far as the phase allows.
    func receiveCiphertext(_ ciphertext: UnsafeRawBufferPointer, _ session: InterceptedSession) {
        let channel = session.channel
        channel.receive(ciphertext)
        do {
            if !channel.isEstablished {
                guard try channel.handshake() else {
                    flush() // the server's flight
                    return
                }
                handshakeCompleted(session)
            }
            // The scratch buffer is free again once its ciphertext is in the session.
            try channel.decrypt(into: &pending, scratch: loop.scratch, capacity: EventLoop.scratchSize)
        } catch {
            tlsFailed(error, session)
            return
        }
        // A record arriving in pieces starts the head's clock, as its first plaintext byte would.
        if case .head = phase, requestStart == 0, pending.isEmpty, channel.hasPartialInput {
            requestStart = loop.now
        }
        // The end of the handshake, tickets, replies to key updates, and output that waited.
        flush()
        if channel.peerClosed && !closed {
            peerClosed = true
            canRead = false
        }
    }

    private func handshakeCompleted(_ session: InterceptedSession) {
        session.serverName = session.channel.requestedServerName
        requestStart = 0
        lastProgress = loop.now
    }

    /// Closes the connection; the alert the failure left in the session, if any, goes out first.
    private func tlsFailed(_ error: TLSError, _ session: InterceptedSession) {
        if session.channel.isEstablished {
            server.logger.debug("TLS record on an intercepted connection rejected",
                                metadata: ["remote": "\(remoteAddress)", "reason": "\(error.reason)"])
        } else {
            server.statistics.tlsHandshakeFailures.add(1, ordering: .relaxed)
            // The SNI says which host's certificate the client refused, when it got that far.
            server.logger.info("TLS handshake failed", metadata: [
                "remote": "\(remoteAddress)", "sni": "\(session.channel.requestedServerName ?? "-")", "reason": "\(error.reason)",
            ])
        }
        close()
    }

    func handshakeTimedOut() {
        server.statistics.tlsHandshakeFailures.add(1, ordering: .relaxed)
        server.logger.info("TLS handshake on an intercepted CONNECT timed out", metadata: ["remote": "\(remoteAddress)"])
        close()
    }

    func flushEncrypted(_ session: InterceptedSession) {
        let channel = session.channel
        if outputSent == 0 && !session.hasUnsentWire { lastWrite = loop.now }
        var mayEncrypt = true
        while true {
            channel.takeCiphertext(into: &session.wire)
            guard sendWire(session) else { return }
            guard mayEncrypt, channel.isEstablished, outputSent < output.count else { return }
            switch channel.encryptSlice(of: output, sent: &outputSent) {
            case .written: break
            case .blocked: mayEncrypt = false // resumed by the flush after the next receive
            case .failed(let error): tlsFailed(error, session); return
            }
        }
    }

    /// Sends `wire`; true once all of it is out, false while the socket is full or after a failure.
    private func sendWire(_ session: InterceptedSession) -> Bool {
        guard session.hasUnsentWire else { return true }
        switch Sockets.send(fd, session.wire, sent: &session.wireSent) {
        case .failed: abort(); return false
        case .progressed: lastWrite = loop.now
        case .wouldBlock: return false
        }
        guard !session.hasUnsentWire else { return false }
        session.wire.removeAll(keepingCapacity: session.wire.capacity <= 16 * 1024)
        session.wireSent = 0
        return true
    }

    /// Best effort on the way out: close_notify (or the alert a failed handshake left behind)
    /// tells the client this close is deliberate. Skipped when a record is half sent, since the
    /// client could not read what follows it anyway.
    func sendCloseNotify(_ session: InterceptedSession) {
        guard !session.closeNotifySent, !session.hasUnsentWire else { return }
        session.closeNotifySent = true
        session.channel.shutdown()
        session.channel.takeCiphertext(into: &session.wire)
        _ = Sockets.send(fd, session.wire, sent: &session.wireSent)
    }
}
