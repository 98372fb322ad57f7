import Foundation

/// Reading and writing whole files for the file tools, with errors worded for the model.
enum FileAccess {
    static let maxReadBytes = 10 * 1024 * 1024

    static func readBytes(_ path: String, shownAs name: String) throws(ToolFailure) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .failed("\(name) does not exist.")
        }
        guard !isDirectory.boolValue else { throw .failed("\(name) is a directory; use list_files.") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .failed("\(name) cannot be read (permission denied?).") }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: maxReadBytes + 1) ?? Data() } catch {
            throw .failed("\(name) cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= maxReadBytes else { throw .failed("\(name) is larger than \(maxReadBytes / 1024 / 1024) MiB.") }
        return Array(data)
    }

    static func readText(_ path: String, shownAs name: String) throws(ToolFailure) -> String {
        let bytes = try readBytes(path, shownAs: name)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .failed("\(name) is not UTF-8 text (\(bytes.count) bytes); inspect it with bash instead.")
        }
        return text
    }

    /// Writes in place (not via a rename) so the file keeps its mode, owner and hard links.
    static func write(_ bytes: [UInt8], to path: String, shownAs name: String) throws(ToolFailure) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .failed("The directory for \(name) cannot be created: \(error.localizedDescription)")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .failed("\(name) cannot be written: \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .failed("\(name) could not be written completely: \(String(cString: strerror(errno))).") }
            written += n
        }
    }
}
