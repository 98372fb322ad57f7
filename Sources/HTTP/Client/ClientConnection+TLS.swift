/// The TLS half of a client connection. Ciphertext read from the socket goes into the
/// session, plaintext comes out into `pending` for the same parser plain connections use;
/// the request in `output` is encrypted a slice at a time as the socket takes it, so a large
/// body never sits in memory twice.
extension ClientConnection {
    var hasUnsentOutput: Bool { outputSent < output.count || wireSent < wire.count }

    func startHandshake() {
        guard let tls else { return }
        do {
            _ = try tls.handshake()
        } catch {
            failAndClose(.tls(error))
            return
        }
        flush()
    }

    /// `count` bytes of ciphertext just landed in the loop's scratch buffer.
    func receiveCiphertext(count: Int) {
        guard let tls else { return }
        tls.receive(UnsafeRawBufferPointer(start: loop.scratch, count: count))
        let before = pending.count
        do {
            // The scratch buffer is free again once its ciphertext is in the session.
            if try tls.handshake() {
                try tls.decrypt(into: &pending, scratch: loop.scratch, capacity: EventLoop.scratchSize)
            }
        } catch {
            failAndClose(.tls(error))
            return
        }
        // Handshake replies, key updates, and a request that waited for the handshake.
        flush()
        guard !closed else { return }
        if pending.count > before {
            guard exchange != nil else { close(); return } // unsolicited data on an idle connection
            parse()
        }
        if tls.peerClosed && !closed {
            canRead = false
            endOfInput()
        }
    }

    func flushEncrypted(_ tls: TLSChannel) {
        var mayEncrypt = true
        while true {
            tls.takeCiphertext(into: &wire)
            guard sendWire() else { return }
            guard mayEncrypt, tls.isEstablished, outputSent < output.count else { break }
            switch tls.encryptSlice(of: output, sent: &outputSent) {
            case .written: break
            case .blocked: mayEncrypt = false // resumed by the flush after the next receive
            case .failed(let error): failAndClose(.tls(error)); return
            }
        }
        if outputSent == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 16 * 1024)
            outputSent = 0
        }
    }

    /// Sends `wire`; true once all of it is out, false while the socket is full or after a failure.
    private func sendWire() -> Bool {
        guard wireSent < wire.count else { return true }
        switch Sockets.send(fd, wire, sent: &wireSent) {
        case .failed(let error): failAndClose(.io(error)); return false
        case .progressed: lastProgress = loop.now
        case .wouldBlock: return false
        }
        guard wireSent == wire.count else { return false }
        wire.removeAll(keepingCapacity: wire.capacity <= 16 * 1024) // idle pooled connections hold no big buffer
        wireSent = 0
        return true
    }

    /// Best effort on the way out: close_notify (or the alert a failed handshake left behind)
    /// tells the peer this close is deliberate. Skipped when a record is half sent, since the
    /// peer could not read what follows it anyway.
    func sendCloseNotify() {
        guard let tls, connected, wireSent == 0, wire.isEmpty else { return }
        tls.shutdown()
        tls.takeCiphertext(into: &wire)
        _ = Sockets.send(fd, wire, sent: &wireSent)
    }
}
