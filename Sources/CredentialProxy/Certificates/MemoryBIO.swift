import COpenSSL

/// OpenSSL's in-memory BIOs, for PEM in and out without temporary files.
enum MemoryBIO {
    /// Runs `body` with a read-only BIO over `bytes`; the BIO does not outlive the call.
    static func reading<R>(_ bytes: [UInt8], _ body: (OpaquePointer) throws(CertificateError) -> R) throws(CertificateError) -> R {
        let result: Result<R, CertificateError> = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                return .failure(.openSSL("allocate a memory BIO"))
            }
            defer { BIO_free(bio) }
            do throws(CertificateError) { return .success(try body(bio)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The bytes `body` writes into a fresh BIO. `BIO_get_mem_data` is a macro Swift cannot
    /// import; it is `BIO_ctrl(BIO_CTRL_INFO)`, spelled out here. A `secret` is written to a
    /// secure-memory BIO, which OpenSSL wipes when it frees it.
    static func writing(_ operation: String, secret: Bool = false, _ body: (OpaquePointer) -> Bool) throws(CertificateError) -> [UInt8] {
        guard let bio = BIO_new(secret ? BIO_s_secmem() : BIO_s_mem()) else { throw .openSSL("allocate a memory BIO") }
        defer { BIO_free(bio) }
        guard body(bio) else { throw .openSSL(operation) }
        var data: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
        guard length > 0, let data else { throw .openSSL(operation) }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }
}
