import Glibc

/// The two files of the proxy CA under `<data-dir>/proxy-ca/`: `ca.key` (0600, only warden reads
/// it) and `ca.crt` (0644: it is bind-mounted read-only into every container, whose user must
/// read it). Files are created exclusively and never overwritten: replacing the CA breaks every
/// running container's trust, so it is a person's decision.
struct ProxyCAFiles {
    static let directoryName = "proxy-ca"
    static let maximumFileSize = 64 * 1024

    let dataDirectory: String
    let directory: String
    var keyPath: String { directory + "/ca.key" }
    var certificatePath: String { directory + "/ca.crt" }

    init(dataDirectory: String) {
        let base = dataDirectory.isEmpty ? "." : dataDirectory
        self.dataDirectory = base.hasSuffix("/") ? String(base.dropLast()) : base
        directory = self.dataDirectory + "/" + Self.directoryName
    }

    /// Creates the data directory and `proxy-ca/` (0700: it holds the key) if they are missing.
    func prepareDirectory() throws(CertificateError) {
        for path in [dataDirectory, directory] where !path.isEmpty {
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .directoryUnusable(path: path, errno: errno) }
        }
    }

    /// The key file's bytes, nil if there is none; refused if group or others may read it.
    /// The caller wipes the bytes once parsed.
    func readKey() throws(CertificateError) -> [UInt8]? {
        try read(keyPath) { _, mode throws(CertificateError) in
            guard mode & 0o077 == 0 else { throw .keyFileExposed(path: keyPath, mode: mode) }
        }
    }

    /// The certificate file's bytes, nil if there is none. A certificate the containers' user
    /// could not read is made readable: it is public, and unreadable it breaks every agent's TLS.
    func readCertificate() throws(CertificateError) -> [UInt8]? {
        try read(certificatePath) { fd, mode throws(CertificateError) in
            if mode & 0o004 == 0 && fchmod(fd, 0o644) != 0 {
                throw .fileIO(path: certificatePath, operation: "make readable (chmod 644)", errno: errno)
            }
        }
    }

    func createKey(_ pem: [UInt8]) throws(CertificateError) { try create(keyPath, mode: 0o600, contents: pem) }

    func createCertificate(_ pem: [UInt8]) throws(CertificateError) { try create(certificatePath, mode: 0o644, contents: pem) }

    private func read(_ path: String, check: (Int32, UInt32) throws(CertificateError) -> Void) throws(CertificateError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            let error = errno
            if error == ENOENT { return nil }
            if error == ELOOP { throw .notRegularFile(path: path) }
            throw .fileIO(path: path, operation: "open", errno: error)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .fileIO(path: path, operation: "stat", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path) }
        try check(fd, info.st_mode)
        guard info.st_size <= Self.maximumFileSize else {
            throw .fileIO(path: path, operation: "read (it is over 64 KiB)", errno: EFBIG)
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(filled)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }  // shrank under us: parse what there is
            filled += n
        }
        if filled < bytes.count { bytes.removeLast(bytes.count - filled) }
        return bytes
    }

    /// Creates `path` exclusively with exactly `mode` (the umask could only remove bits), writes
    /// and fsyncs it, then fsyncs the directory. On failure nothing is left behind: a half-written
    /// file would be refused on every later start.
    private func create(_ path: String, mode: mode_t, contents: [UInt8]) throws(CertificateError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .fileIO(path: path, operation: "create", errno: errno) }
        do throws(CertificateError) {
            guard fchmod(fd, mode) == 0 else { throw .fileIO(path: path, operation: "chmod", errno: errno) }
            var written = 0
            while written < contents.count {
                let n = contents.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw .fileIO(path: path, operation: "write", errno: errno) }
                written += n
            }
            guard fsync(fd) == 0 else { throw .fileIO(path: path, operation: "fsync", errno: errno) }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        close(fd)
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 { _ = fsync(directoryFD); close(directoryFD) }
    }
}
