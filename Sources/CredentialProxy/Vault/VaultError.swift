import Glibc

/// Where the master key came from, so an error can say which key to check.
public enum MasterKeySource: Sendable, Equatable, CustomStringConvertible {
    case environment
    case file(path: String)
    /// Handed to `Vault(masterKey:)` directly (tests, tools).
    case provided

    public var description: String {
        switch self {
        case .environment: return "WARDEN_MASTER_KEY"
        case .file(let path): return "the key file \(path)"
        case .provided: return "the master key in use"
        }
    }
}

/// Why the vault cannot start or cannot open a secret. Messages say what to do; none carries
/// key material or a secret.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `WARDEN_MASTER_KEY` is set but is not 32 bytes of hex or base64.
    case invalidEnvironmentKey(reason: String)
    /// The key file exists but group or others may read it.
    case keyFileExposed(path: String, mode: UInt32)
    case keyFileWrongSize(path: String, size: Int)
    case keyFileNotRegular(path: String)
    case keyFileIO(path: String, operation: String, errno: Int32)
    case dataDirectoryUnusable(path: String, errno: Int32)
    /// Authenticated decryption failed: the key is not the one the vault was sealed with (or the
    /// row was altered, which AES-GCM cannot tell apart from a wrong key).
    case masterKeyMismatch(credential: String, source: MasterKeySource)
    /// The stored nonce or ciphertext cannot be what `seal` wrote.
    case malformedCiphertext(credential: String)
    /// OpenSSL refused an operation that cannot fail with valid inputs.
    case crypto(operation: String)

    public var description: String {
        switch self {
        case .invalidEnvironmentKey(let reason):
            return "WARDEN_MASTER_KEY is not a usable master key (\(reason)). It must be 32 random bytes written as "
                + "64 hex characters or as base64, e.g. the output of `openssl rand -base64 32`; "
                + "unset it to use the key file in the data directory instead."
        case .keyFileExposed(let path, let mode):
            return "The master key file \(path) has mode \(String(mode & 0o777, radix: 8)), so other users may read it; "
                + "run `chmod 600 \(path)` (and check who could have read it) before starting warden again."
        case .keyFileWrongSize(let path, let size):
            return "The master key file \(path) holds \(size) bytes, not 32, so it is not a Warden master key. "
                + "Restore the original file; if the vault never held credentials, delete it and warden creates a new one."
        case .keyFileNotRegular(let path):
            return "The master key path \(path) is not a regular file; remove whatever is there or restore the key file."
        case .keyFileIO(let path, let operation, let errno):
            return "Could not \(operation) the master key file \(path): \(String(cString: strerror(errno)))."
        case .dataDirectoryUnusable(let path, let errno):
            return "Could not create the data directory \(path) for the master key file: \(String(cString: strerror(errno)))."
        case .masterKeyMismatch(let credential, let source):
            return "The master key does not match the vault: credential '\(credential)' cannot be decrypted with "
                + "\(source). Start warden with the key the vault was created with (or the row was altered)."
        case .malformedCiphertext(let credential):
            return "Credential '\(credential)' is stored in a form the vault did not write; store it again."
        case .crypto(let operation):
            return "OpenSSL failed to \(operation)."
        }
    }
}
