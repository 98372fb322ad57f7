import COpenSSL
import Glibc

/// A TLS session over two memory BIOs, client or server side. The connection moves ciphertext
/// between its socket and these buffers and plaintext between them and its parser, so TLS needs
/// no blocking socket and no thread: it runs on the connection's loop like everything else.
/// Loop-confined, like the connection that owns it.
final class TLSChannel {
    enum WriteOutcome {
        case written
        /// A renegotiation must finish first; retry with the same bytes once more ciphertext arrived.
        case blocked
        case failed(TLSError)
    }

    /// Plaintext per SSL_write: four full records, so the ciphertext waiting for a slow socket
    /// stays small while a large body waits as plaintext only.
    static let plaintextSlice = 64 * 1024

    /// Whom error messages name: the server's name on a client, the client's address on a server.
    let peer: String
    private let ssl: OpaquePointer
    /// Ciphertext from the peer, fed by the connection; SSL_read consumes it.
    private let incoming: OpaquePointer
    /// Ciphertext for the peer, produced by SSL; the connection drains it to the socket.
    private let outgoing: OpaquePointer
    private(set) var isEstablished = false
    /// The peer sent close_notify: its data ended on purpose, not by a cut connection.
    private(set) var peerClosed = false
    /// After a fatal error SSL must not be used again (no close_notify either).
    private var failed = false

    /// A client session that verifies `serverName` and sends it as SNI.
    convenience init(context: TLSContext, serverName: String) throws(TLSError) {
        try self.init(context: context.pointer, peer: serverName)
        SSL_set_connect_state(ssl)
        try expectPeer(named: serverName)
    }

    /// A server session presenting `context`'s certificate; `peer` names the client in errors.
    convenience init(context: TLSServerContext, peer: String) throws(TLSError) {
        try self.init(context: context.pointer, peer: peer)
        SSL_set_accept_state(ssl)
    }

    private init(context: OpaquePointer, peer: String) throws(TLSError) {
        self.peer = peer
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context) else { throw .fromQueue(.configuration, "SSL_new failed") }
        guard let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .fromQueue(.configuration, "cannot allocate TLS buffers")
        }
        SSL_set_bio(ssl, incoming, outgoing) // the SSL owns both BIOs from here
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
    }

    deinit { SSL_free(ssl) }

    /// Hostname (or IP) verification, and SNI for names: RFC 6066 forbids IP literals in SNI.
    private func expectPeer(named name: String) throws(TLSError) {
        if Self.isIPLiteral(name) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1 else {
                throw .fromQueue(.configuration, "cannot verify the IP address \(name)")
            }
            return
        }
        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        guard SSL_set1_host(ssl, name) == 1, copenssl_set_tlsext_host_name(ssl, name) == 1 else {
            throw .fromQueue(.configuration, "cannot verify the host name \(name)")
        }
    }

    /// The SNI: on a server, what the client asked for (nil if it sent none); on a client, what it sent.
    var requestedServerName: String? {
        SSL_get_servername(ssl, Int32(TLSEXT_NAMETYPE_host_name)).map { String(cString: $0) }
    }

    /// Ciphertext received but not yet decrypted: a record is arriving in pieces.
    var hasPartialInput: Bool { BIO_ctrl_pending(incoming) > 0 || SSL_has_pending(ssl) == 1 }

    static func isIPLiteral(_ name: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, name, &address) == 1 || inet_pton(AF_INET6, name, &address) == 1
    }

    // MARK: ciphertext in and out

    /// Ciphertext read from the socket. A memory BIO grows to take all of it.
    func receive(_ ciphertext: UnsafeRawBufferPointer) {
        guard !ciphertext.isEmpty else { return }
        _ = BIO_write(incoming, ciphertext.baseAddress, Int32(ciphertext.count))
    }

    /// Appends the ciphertext SSL produced (handshake, records, alerts) to `wire`.
    func takeCiphertext(into wire: inout [UInt8]) {
        let count = Int(BIO_ctrl_pending(outgoing))
        guard count > 0 else { return }
        let start = wire.count
        wire.append(contentsOf: repeatElement(0, count: count))
        wire.withUnsafeMutableBytes { buffer in
            _ = BIO_read(outgoing, buffer.baseAddress! + start, Int32(count))
        }
    }

    // MARK: the session

    /// Advances the handshake with the ciphertext received so far; true once it is complete.
    func handshake() throws(TLSError) -> Bool {
        guard !isEstablished else { return true }
        OpenSSLErrorQueue.clear()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            isEstablished = true
            return true
        }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return false
        default: throw failure(.handshake, "TLS handshake with \(peer) failed")
        }
    }

    /// Decrypts all complete records received so far into `plaintext`, using `scratch` as the
    /// landing buffer. Post-handshake messages (TLS 1.3 tickets and key updates, a TLS 1.2
    /// renegotiation) are handled inside SSL_read; any reply they need waits in the outgoing BIO.
    func decrypt(into plaintext: inout [UInt8], scratch: UnsafeMutablePointer<UInt8>, capacity: Int) throws(TLSError) {
        while !peerClosed {
            OpenSSLErrorQueue.clear()
            let n = SSL_read(ssl, scratch, Int32(capacity))
            if n > 0 {
                plaintext.append(contentsOf: UnsafeBufferPointer(start: scratch, count: Int(n)))
                continue
            }
            switch SSL_get_error(ssl, n) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return
            case SSL_ERROR_ZERO_RETURN: peerClosed = true
            default: throw failure(.protocolViolation, "TLS record from \(peer) rejected")
            }
        }
    }

    /// Encrypts all of `plaintext` into the outgoing BIO (a memory BIO never runs full).
    func encrypt(_ plaintext: UnsafeRawBufferPointer) -> WriteOutcome {
        OpenSSLErrorQueue.clear()
        let n = SSL_write(ssl, plaintext.baseAddress, Int32(plaintext.count))
        if n == plaintext.count { return .written }
        switch SSL_get_error(ssl, n) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .blocked
        default: return .failed(failure(.protocolViolation, "TLS write to \(peer) failed"))
        }
    }

    /// Encrypts the next slice of `plaintext` after `sent`, advancing `sent` past what was written.
    func encryptSlice(of plaintext: [UInt8], sent: inout Int) -> WriteOutcome {
        let end = min(plaintext.count, sent + Self.plaintextSlice)
        let outcome = plaintext.withUnsafeBytes { encrypt(UnsafeRawBufferPointer(rebasing: $0[sent..<end])) }
        if case .written = outcome { sent = end }
        return outcome
    }

    /// Queues close_notify, so the peer can tell our close from a cut connection.
    func shutdown() {
        guard isEstablished, !failed else { return }
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    /// A certificate that failed verification is reported with OpenSSL's verify error string;
    /// anything else with the error queue.
    private func failure(_ kind: TLSError.Kind, _ context: String) -> TLSError {
        failed = true
        let verify = SSL_get_verify_result(ssl)
        guard verify == X509_V_OK else {
            OpenSSLErrorQueue.clear()
            var reason = "certificate verification failed for \(peer): "
                + String(cString: X509_verify_cert_error_string(verify))
            if verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH,
               let names = PeerCertificate.subjectAlternativeNames(of: ssl) {
                reason += " (the certificate is for \(names))"
            }
            return TLSError(.verification(code: Int32(verify)), reason)
        }
        return .fromQueue(kind, context)
    }
}
