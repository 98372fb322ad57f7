import Foundation

/// What containers trust: the system's CA bundle plus Warden's proxy CA, in one PEM file.
/// Mounting the proxy CA alone would make tools in the container (which read SSL_CERT_FILE,
/// CURL_CA_BUNDLE, …) refuse every host that is tunnelled rather than intercepted.
public enum ContainerTrustBundle {
    public static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// Writes `<proxy-ca dir>/container-bundle.crt` (0644) atomically and returns its path.
    public static func write(for authority: ProxyCA, system: String = systemBundle) throws -> String {
        let directory = (authority.certificatePath as NSString).deletingLastPathComponent
        let path = directory + "/container-bundle.crt"
        var contents = (try? String(contentsOfFile: system, encoding: .utf8)) ?? ""
        if !contents.isEmpty && !contents.hasSuffix("\n") { contents += "\n" }
        contents += "# Warden proxy CA\n" + authority.certificatePEM
        let temporary = path + ".tmp"
        try Data(contents.utf8).write(to: URL(fileURLWithPath: temporary))
        chmod(temporary, 0o644)
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return path
    }
}
