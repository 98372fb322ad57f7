import COpenSSL

/// One `SSL_CTX` per client: the trust store is parsed once and shared by every connection on
/// every loop (OpenSSL allows `SSL_new` from any thread once a context is configured).
final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ configuration: TLSConfiguration) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .fromQueue(.configuration, "cannot create a TLS context")
        }
        pointer = context
        // From here a throw runs deinit, which frees the context.
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let minimum = configuration.minimumVersion == .v1_3 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard copenssl_ctx_set_min_proto_version(context, minimum) == 1 else {
            throw .fromQueue(.configuration, "cannot set the minimum TLS version")
        }
        // Idle pooled connections give their record buffers back; the write buffer may move
        // between a blocked SSL_write and its retry because it is a Swift array.
        _ = copenssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
        guard SSL_CTX_set_alpn_protos(context, alpn, UInt32(alpn.count)) == 0 else { // 0 is success here
            throw .fromQueue(.configuration, "cannot set ALPN")
        }
        if configuration.trustsSystemRoots {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw .fromQueue(.configuration, "cannot load the system trust store")
            }
        }
        for source in configuration.additionalRoots {
            try addRoots(source)
        }
    }

    deinit { SSL_CTX_free(pointer) }

    private func addRoots(_ source: TLSConfiguration.CertificateSource) throws(TLSError) {
        switch source {
        case .file(let path):
            guard SSL_CTX_load_verify_locations(pointer, path, nil) == 1 else {
                throw .fromQueue(.configuration, "cannot load CA certificates from \(path)")
            }
        case .pem(let text):
            guard addPEM(Array(text.utf8)) > 0 else {
                throw .fromQueue(.configuration, "no CA certificate found in the PEM text")
            }
        }
    }

    /// Adds every certificate in `pem` to the trust store; returns how many.
    private func addPEM(_ pem: [UInt8]) -> Int {
        let store = SSL_CTX_get_cert_store(pointer)
        return pem.withUnsafeBytes { bytes -> Int in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return 0 }
            defer { BIO_free(bio) }
            var added = 0
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                if X509_STORE_add_cert(store, certificate) == 1 { added += 1 }
                X509_free(certificate)
            }
            // The loop ends on a "no start line" error: that is how PEM reading says "no more".
            if added > 0 { OpenSSLErrorQueue.clear() }
            return added
        }
    }
}
