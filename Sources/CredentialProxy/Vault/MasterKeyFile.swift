import Glibc

/// `<data-dir>/master.key`: the 32 raw key bytes, mode 0600, created once and then only read.
/// Losing the file loses every credential, so it is never overwritten, and a file others could
/// read is refused rather than silently "fixed": someone should look at how that happened.
enum MasterKeyFile {
    static let name = "master.key"

    static func path(in directory: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Reads the key file, creating it with a fresh key if there is none.
    static func loadOrCreate(at path: String) throws(VaultError) -> MasterKey {
        if let existing = try read(at: path) { return existing }
        do {
            return try create(at: path)
        } catch .keyFileIO(_, _, EEXIST) {
            // Another process created it between our read and our create: use theirs.
            guard let existing = try read(at: path) else { throw .keyFileIO(path: path, operation: "read", errno: ENOENT) }
            return existing
        }
    }

    /// nil if there is no file; an error if there is one we must not or cannot use.
    static func read(at path: String) throws(VaultError) -> MasterKey? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            let error = errno
            if error == ENOENT { return nil }
            if error == ELOOP { throw .keyFileNotRegular(path: path) }
            throw .keyFileIO(path: path, operation: "open", errno: error)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .keyFileIO(path: path, operation: "stat", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .keyFileNotRegular(path: path) }
        guard info.st_mode & 0o077 == 0 else { throw .keyFileExposed(path: path, mode: info.st_mode) }
        guard info.st_size == MasterKey.byteCount else { throw .keyFileWrongSize(path: path, size: Int(info.st_size)) }
        var bytes = [UInt8](repeating: 0, count: MasterKey.byteCount)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw n == 0 ? .keyFileWrongSize(path: path, size: filled) : .keyFileIO(path: path, operation: "read", errno: errno) }
            filled += n
        }
        return MasterKey(bytes: bytes)
    }

    /// Creates the file exclusively, writes and fsyncs the key, then fsyncs the directory, so a
    /// key that sealed a credential is on disk before that credential is.
    static func create(at path: String) throws(VaultError) -> MasterKey {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .keyFileIO(path: path, operation: "create", errno: errno) }
        let key = MasterKey.random()
        do throws(VaultError) {
            // The umask can only remove bits; this makes the mode exactly 0600 whatever it is.
            guard fchmod(fd, 0o600) == 0 else { throw VaultError.keyFileIO(path: path, operation: "chmod", errno: errno) }
            try writeAll(key.bytes, to: fd, path: path)
            guard fsync(fd) == 0 else { throw VaultError.keyFileIO(path: path, operation: "fsync", errno: errno) }
        } catch {
            close(fd)
            // A half-written key file would be refused on every later start; leave none.
            unlink(path)
            throw error
        }
        close(fd)
        syncDirectory(of: path)
        return key
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(VaultError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .keyFileIO(path: path, operation: "write", errno: errno) }
            written += n
        }
    }

    private static func syncDirectory(of path: String) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let fd = open(directory.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
