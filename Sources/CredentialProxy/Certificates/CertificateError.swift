import COpenSSL
import Glibc

/// Why the proxy CA cannot be loaded or created, or a leaf cannot be issued. Messages say what
/// to do; none carries key material (OpenSSL's error strings name functions and reasons only).
public enum CertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    case directoryUnusable(path: String, errno: Int32)
    case fileIO(path: String, operation: String, errno: Int32)
    case notRegularFile(path: String)
    /// The CA key file exists but group or others may read it.
    case keyFileExposed(path: String, mode: UInt32)
    /// The key file is not an unencrypted PEM private key of a type the CA can sign with.
    case unreadableKey(path: String, reason: String)
    case unreadableCertificate(path: String, reason: String)
    /// ca.crt was not made from ca.key.
    case certificateKeyMismatch(certificatePath: String, keyPath: String)
    /// ca.crt is there but ca.key is gone: nothing can be signed with that certificate any more.
    case certificateWithoutKey(certificatePath: String, keyPath: String)
    case authorityExpired(certificatePath: String, notAfter: String)
    /// A host an agent asked for cannot be put in a certificate.
    case invalidHost(String, reason: String)
    /// OpenSSL refused an operation that cannot fail with valid inputs.
    case openSSL(operation: String, detail: String)

    public var description: String {
        switch self {
        case .directoryUnusable(let path, let errno):
            return "Could not create the proxy CA directory \(path): \(String(cString: strerror(errno)))."
        case .fileIO(let path, let operation, let errno):
            return "Could not \(operation) \(path): \(String(cString: strerror(errno)))."
        case .notRegularFile(let path):
            return "\(path) is not a regular file; remove whatever is there or restore the proxy CA file."
        case .keyFileExposed(let path, let mode):
            return "The proxy CA key \(path) has mode \(String(mode & 0o777, radix: 8)), so other users may read it "
                + "and impersonate any site to the agents; run `chmod 600 \(path)` (and consider whether to replace "
                + "the CA) before starting warden again."
        case .unreadableKey(let path, let reason):
            return "The proxy CA key \(path) cannot be used (\(reason)). Restore the original file, or delete the "
                + "directory holding it so that warden creates a new CA (containers get the new ca.crt when they next start)."
        case .unreadableCertificate(let path, let reason):
            return "The proxy CA certificate \(path) cannot be used (\(reason)). Delete it and warden issues a new "
                + "one for the existing key (containers get it when they next start)."
        case .certificateKeyMismatch(let certificatePath, let keyPath):
            return "The proxy CA certificate \(certificatePath) was not made from the key \(keyPath). Restore the "
                + "matching pair, or delete \(certificatePath) and warden issues a new certificate for the key."
        case .certificateWithoutKey(let certificatePath, let keyPath):
            return "The proxy CA certificate \(certificatePath) exists but its key \(keyPath) does not. Restore the "
                + "key, or delete \(certificatePath) so that warden creates a new CA."
        case .authorityExpired(let certificatePath, let notAfter):
            return "The proxy CA certificate \(certificatePath) expired at \(notAfter). Delete it and warden issues "
                + "a new one for the existing key (containers get it when they next start)."
        case .invalidHost(let host, let reason):
            return "No certificate can be issued for the host \(host.debugDescription): \(reason)."
        case .openSSL(let operation, let detail):
            return detail.isEmpty ? "OpenSSL failed to \(operation)." : "OpenSSL failed to \(operation): \(detail)."
        }
    }

    /// An `.openSSL` error carrying (and clearing) this thread's OpenSSL error queue, so a stale
    /// entry is never blamed on a later, unrelated call.
    static func openSSL(_ operation: String) -> CertificateError {
        .openSSL(operation: operation, detail: OpenSSLErrorQueue.drain())
    }
}

/// OpenSSL keeps failures in a per-thread queue; reading it also empties it.
enum OpenSSLErrorQueue {
    static func drain() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return reasons.joined(separator: "; ")
    }
}
