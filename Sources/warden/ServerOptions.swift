import ArgumentParser
import Foundation

/// `--url` and `--key-file`: how a command reaches a running server and proves who it is.
///
/// The key is read from `WARDEN_KEY` or a file, never from an argument, because arguments are
/// visible to every user on the machine in `ps`.
struct ServerOptions: ParsableArguments {
    static let defaultURL = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("The running server's base URL (default: $WARDEN_URL, else \(defaultURL)).",
                               valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("A file holding the API key (default: the key in $WARDEN_KEY).",
                               valueName: "path"))
    var keyFile: String?

    func validate() throws {
        _ = try server()
        _ = try apiKey()
    }

    func server() throws -> ServerURL {
        let text = url ?? ProcessInfo.processInfo.environment["WARDEN_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultURL
        guard let server = ServerURL(text) else {
            throw ValidationError("'\(text)' is not a server URL; use http://HOST:PORT (e.g. \(Self.defaultURL)) or https://HOST.")
        }
        return server
    }

    func apiKey() throws -> String {
        if let keyFile {
            // access(2) first for the system's own reason ("No such file or directory", "Permission
            // denied"); Foundation's error text for a failed read says neither.
            guard access(keyFile, R_OK) == 0 else {
                throw ValidationError("Could not read the key file '\(keyFile)': \(String(cString: strerror(errno))).")
            }
            guard let data = FileManager.default.contents(atPath: keyFile) else {
                throw ValidationError("Could not read the key file '\(keyFile)'.")
            }
            let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw ValidationError("The key file '\(keyFile)' is empty.") }
            return key
        }
        if let key = ProcessInfo.processInfo.environment["WARDEN_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines),
           !key.isEmpty {
            return key
        }
        throw ValidationError("""
            No API key. Set WARDEN_KEY in the environment or pass --key-file PATH (a file holding the key); \
            keys are not accepted as arguments, where ps would show them. Make one with `warden keys create --role approver`.
            """)
    }
}

/// A server's base URL, split into what the HTTP client dials and what goes before each API path.
struct ServerURL: CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int
    /// Anything after the host, e.g. `/warden` behind a reverse proxy; empty for most set-ups.
    let pathPrefix: String

    init?(_ text: String) {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil else { return nil }
        self.scheme = scheme
        // URLComponents keeps an IPv6 literal's brackets on some platforms; the socket wants it bare.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (scheme == "https" ? 443 : 80)
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        pathPrefix = path
    }

    var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost):\(port)\(pathPrefix)"
    }
}
