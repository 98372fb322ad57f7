import COpenSSL
import Foundation
@testable import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// The client side of a TLS session over a `RawClient`'s blocking socket, so a test can speak
/// raw HTTP/1.1 bytes inside TLS after a CONNECT: OpenSSL reads and writes the socket itself
/// (SSL_set_fd does not take ownership: the RawClient still closes it, once). Reads are
/// bounded by the socket's SO_RCVTIMEO, like the plaintext ones.
final class RawTLSSession: @unchecked Sendable {
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    /// The server ended the session with close_notify.
    private(set) var receivedCloseNotify = false

    /// A session to resume: TLS 1.3 tickets arrive after the handshake, so take it after a
    /// response was read.
    final class Ticket: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { SSL_SESSION_free(pointer) }
    }

    /// Handshakes on `fd`; throws with OpenSSL's reason (the verify error first) on failure.
    init(fd: Int32, trusting authority: TLSTestCertificate, serverName: String?, alpn: [String],
         maxVersion: Int32?, resuming ticket: Ticket?) throws {
        context = SSL_CTX_new(TLS_client_method())!
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        X509_STORE_add_cert(SSL_CTX_get_cert_store(context), authority.x509)
        if let maxVersion { _ = copenssl_ctx_set_max_proto_version(context, maxVersion) }
        if !alpn.isEmpty {
            let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count))
        }
        ssl = SSL_new(context)!
        if let serverName {
            _ = copenssl_set_tlsext_host_name(ssl, serverName)
            SSL_set1_host(ssl, serverName)
        }
        if let ticket { SSL_set_session(ssl, ticket.pointer) }
        SSL_set_fd(ssl, fd)
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else {
            // Every property is set, so deinit frees both when this throws.
            throw RawClientError.malformed("TLS handshake failed: \(Self.failureReason(ssl))")
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    var alpn: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var resumed: Bool { SSL_session_reused(ssl) == 1 }
    var ticket: Ticket? { SSL_get1_session(ssl).map(Ticket.init) }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else {
                ERR_clear_error()
                throw RawClientError.sendFailed(errno: errno)
            }
            offset += Int(n)
        }
    }

    /// Bytes read into `chunk`, or nil once the session or the connection ended.
    func read(into chunk: inout [UInt8]) throws -> Int? {
        let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        if n > 0 { return Int(n) }
        let error = SSL_get_error(ssl, n)
        let code = errno
        ERR_clear_error()
        switch error {
        case SSL_ERROR_ZERO_RETURN:
            receivedCloseNotify = true
            return nil
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            throw RawClientError.timedOut(partial: 0)
        case SSL_ERROR_SYSCALL where code == EAGAIN || code == EWOULDBLOCK:
            throw RawClientError.timedOut(partial: 0)
        default:
            return nil // a reset, or an EOF without close_notify
        }
    }

    private static func failureReason(_ ssl: OpaquePointer) -> String {
        let verify = SSL_get_verify_result(ssl)
        var reasons: [String] = []
        if verify != X509_V_OK { reasons.append(String(cString: X509_verify_cert_error_string(verify))) }
        reasons += OpenSSLErrorQueue.drain()
        return reasons.isEmpty ? "unknown" : reasons.joined(separator: "; ")
    }
}

extension RawClient {
    /// Handshakes as a TLS client on this connection (after a CONNECT was answered); from then
    /// on every send and read goes through the session. Throws if the handshake fails, and the
    /// connection stays plaintext.
    @discardableResult
    func startTLS(trusting authority: TLSTestCertificate, serverName: String?, alpn: [String] = ["http/1.1"],
                  maxVersion: Int32? = nil, resuming ticket: RawTLSSession.Ticket? = nil) async throws -> RawTLSSession {
        precondition(buffered.isEmpty, "bytes read past the CONNECT response would be lost to TLS")
        let fd = self.fd
        let session = try await offload {
            try RawTLSSession(fd: fd, trusting: authority, serverName: serverName, alpn: alpn,
                              maxVersion: maxVersion, resuming: ticket)
        }
        tls = session
        return session
    }
}
