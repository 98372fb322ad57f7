import COpenSSL

/// Reads what a failed verification needs to explain itself.
enum PeerCertificate {
    /// The leaf's subjectAltName as OpenSSL prints it ("DNS:a.example, IP Address:127.0.0.1").
    /// A client keeps the chain even when verification rejected it, so this works after a failure.
    static func subjectAlternativeNames(of ssl: OpaquePointer) -> String? {
        guard let chain = SSL_get_peer_cert_chain(ssl), OPENSSL_sk_num(chain) > 0,
              let leaf = OPENSSL_sk_value(chain, 0) else { return nil }
        let certificate = OpaquePointer(leaf)
        let index = X509_get_ext_by_NID(certificate, NID_subject_alt_name, -1)
        guard index >= 0, let ext = X509_get_ext(certificate, index), let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard X509V3_EXT_print(bio, ext, 0, 0) == 1 else { return nil }
        var text = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let n = BIO_read(bio, &text, Int32(text.count))
        return n > 0 ? String(decoding: text[0..<Int(n)], as: UTF8.self) : nil
    }
}
