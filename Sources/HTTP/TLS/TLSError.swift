import COpenSSL

/// Why a TLS connection could not be used. `reason` is OpenSSL's own text (the verify error
/// string, or the error queue), so a log line says what the peer or the trust store got wrong.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The trust settings could not be loaded (a missing or malformed CA file or PEM).
        case configuration
        /// The peer's certificate chain or name did not verify; `code` is the `X509_V_ERR_*` value.
        case verification(code: Int32)
        /// The handshake failed for another reason (no shared protocol or cipher, an alert, garbage).
        case handshake
        /// A record after the handshake was malformed or failed to decrypt.
        case protocolViolation
        /// The peer closed the connection without close_notify where only close_notify ends the
        /// body cleanly: an attacker could have cut it short.
        case truncated
        /// The request's Host header names another host than the one TLS verifies.
        case hostMismatch
    }

    public var kind: Kind
    public var reason: String

    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { reason }

    /// `context` followed by everything on this thread's OpenSSL error queue, which it empties.
    static func fromQueue(_ kind: Kind, _ context: String) -> TLSError {
        let queued = OpenSSLErrorQueue.drain()
        return TLSError(kind, queued.isEmpty ? context : "\(context): \(queued.joined(separator: "; "))")
    }
}

/// OpenSSL reports errors on a per-thread queue. Every loop thread serves many connections, so
/// the queue is emptied before each operation whose failure we read, lest one connection's
/// stale error be blamed on another.
enum OpenSSLErrorQueue {
    static func clear() { ERR_clear_error() }

    static func drain() -> [String] {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        var code = ERR_get_error()
        while code != 0 {
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            code = ERR_get_error()
        }
        return messages
    }
}
