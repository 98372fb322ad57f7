import COpenSSL
import Glibc

/// The server side of TLS for one certificate chain: what an intercepted CONNECT presents to
/// the client. The credential proxy keeps one per host, so a context holds only what serving
/// needs: no trust store (clients are not asked for certificates) and no session cache
/// (resumption uses stateless tickets, whose keys each context draws at random).
/// Configured once and then only read, which OpenSSL allows from any thread.
public final class TLSServerContext: @unchecked Sendable {
    let pointer: OpaquePointer

    /// `certificateChainPEM` holds the leaf first, then any intermediates; `privateKeyPEM` the
    /// leaf's key, unencrypted. Throws `.configuration` when either cannot be read or the key
    /// does not belong to the leaf.
    public init(certificateChainPEM: String, privateKeyPEM: String) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw .fromQueue(.configuration, "cannot create a TLS server context")
        }
        pointer = context
        // From here a throw runs deinit, which frees the context.
        guard copenssl_ctx_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw .fromQueue(.configuration, "cannot set the minimum TLS version")
        }
        // A client-initiated renegotiation costs the server a handshake for free: refuse it.
        _ = SSL_CTX_set_options(context, UInt64(Self.noRenegotiation))
        _ = copenssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        _ = SSL_CTX_ctrl(context, SSL_CTRL_SET_SESS_CACHE_MODE, Int(SSL_SESS_CACHE_OFF), nil)
        // One ticket is enough for a client that resumes one connection at a time.
        _ = SSL_CTX_set_num_tickets(context, 1)
        SSL_CTX_set_alpn_select_cb(context, selectHTTP11, nil)
        // Without a callback that accepts the SNI, OpenSSL keeps it out of the session, and a
        // resumed TLS 1.2 session would report none (SSL_CTX_set_tlsext_servername_callback is a macro).
        _ = SSL_CTX_callback_ctrl(context, SSL_CTRL_SET_TLSEXT_SERVERNAME_CB,
                                  unsafeBitCast(acceptServerName, to: (@convention(c) () -> Void).self))
        try useChain(Array(certificateChainPEM.utf8))
        try useKey(Array(privateKeyPEM.utf8))
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw .fromQueue(.configuration, "the private key does not match the certificate")
        }
    }

    deinit { SSL_CTX_free(pointer) }

    /// SSL_OP_NO_RENEGOTIATION is SSL_OP_BIT(30), a macro Swift cannot import.
    private static let noRenegotiation: UInt64 = 1 << 30

    private func useChain(_ pem: [UInt8]) throws(TLSError) {
        let result: Result<Void, TLSError> = pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else {
                return .failure(.fromQueue(.configuration, "cannot read the certificate chain"))
            }
            defer { BIO_free(bio) }
            guard let leaf = PEM_read_bio_X509(bio, nil, nil, nil) else {
                return .failure(.fromQueue(.configuration, "no certificate found in the certificate chain PEM"))
            }
            defer { X509_free(leaf) } // SSL_CTX_use_certificate takes its own reference
            guard SSL_CTX_use_certificate(pointer, leaf) == 1 else {
                return .failure(.fromQueue(.configuration, "cannot use the leaf certificate"))
            }
            while let intermediate = PEM_read_bio_X509(bio, nil, nil, nil) {
                // SSL_CTX_add0_chain_cert, a macro: on success the context owns the certificate.
                guard SSL_CTX_ctrl(pointer, SSL_CTRL_CHAIN_CERT, 0, UnsafeMutableRawPointer(intermediate)) == 1 else {
                    X509_free(intermediate)
                    return .failure(.fromQueue(.configuration, "cannot add an intermediate certificate"))
                }
            }
            // The loop ends on a "no start line" error: that is how PEM reading says "no more".
            OpenSSLErrorQueue.clear()
            return .success(())
        }
        try result.get()
    }

    private func useKey(_ pem: [UInt8]) throws(TLSError) {
        let key: OpaquePointer? = pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            // An encrypted key must fail here, not make OpenSSL prompt on the terminal.
            return PEM_read_bio_PrivateKey(bio, nil, noPassphrase, nil)
        }
        guard let key else { throw .fromQueue(.configuration, "no usable private key found in the PEM text") }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(pointer, key) == 1 else {
            throw .fromQueue(.configuration, "the private key does not match the certificate")
        }
    }
}

private let noPassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
    _, _, _, _ in 0
}

/// Any name is accepted: the certificate is chosen by the CONNECT target, and the handler
/// compares the SNI with it (`Request.tlsServerName`).
private let acceptServerName: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = {
    _, _, _ in SSL_TLSEXT_ERR_OK
}

/// ALPN: the server speaks only HTTP/1.1. A client that offers ALPN without it gets the fatal
/// no_application_protocol alert RFC 7301 §3.2 asks for, rather than a session in which it
/// would speak h2 to an HTTP/1.1 parser; a client that offers no ALPN is not asked about it.
private let selectHTTP11: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
    UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
) -> Int32 = { _, out, outLength, offered, offeredLength, _ in
    guard let offered, let out, let outLength else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let wanted: StaticString = "http/1.1"
    var i = 0
    while i < Int(offeredLength) {
        let length = Int(offered[i])
        if length == wanted.utf8CodeUnitCount, i + 1 + length <= Int(offeredLength),
           memcmp(offered + i + 1, wanted.utf8Start, length) == 0 {
            out.pointee = offered + i + 1
            outLength.pointee = UInt8(length)
            return SSL_TLSEXT_ERR_OK
        }
        i += 1 + length
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL
}
