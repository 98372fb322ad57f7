import COpenSSL
@testable import CredentialProxy
import Foundation

/// Verifies `leaf` the way a TLS client does: `X509_verify_cert` with a store holding only
/// `authority`, the ssl_server purpose, strict X.509 checks and the host (name or IP) checked
/// against the SAN. nil when it verifies, else OpenSSL's reason.
func verificationFailure(of leaf: Certificate, host: String, authority: Certificate, at time: Date? = nil) -> String? {
    guard let store = X509_STORE_new() else { return "no store" }
    defer { X509_STORE_free(store) }
    guard X509_STORE_add_cert(store, authority.x509) == 1, let context = X509_STORE_CTX_new() else { return "no context" }
    defer { X509_STORE_CTX_free(context) }
    guard X509_STORE_CTX_init(context, store, leaf.x509, nil) == 1,
          X509_STORE_CTX_set_default(context, "ssl_server") == 1 else { return "context init failed" }
    let parameters = X509_STORE_CTX_get0_param(context)
    X509_VERIFY_PARAM_set_flags(parameters, UInt(X509_V_FLAG_X509_STRICT))
    if let time { X509_VERIFY_PARAM_set_time(parameters, time_t(time.timeIntervalSince1970)) }
    let hostSet = (try? CertificateHost(host))?.ipAddress != nil
        ? X509_VERIFY_PARAM_set1_ip_asc(parameters, host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        : X509_VERIFY_PARAM_set1_host(parameters, host, 0)
    guard hostSet == 1 else { return "could not set host" }
    if X509_verify_cert(context) == 1 { return nil }
    return String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(context))))
}

/// The permission bits of `path`.
func permissions(of path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
}

/// A proxy CA in a fresh data directory, removed afterwards.
func withProxyCA<R>(instanceID: String = "0123456789abcdef", _ body: (ProxyCA, String) throws -> R) throws -> R {
    let directory = try makeTemporaryDirectory("ca")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try body(try ProxyCA.loadOrCreate(dataDirectory: directory, instanceID: instanceID), directory)
}

/// The DER value and criticality of `certificate`'s extension `nid`, nil if it has none.
func extensionValue(_ certificate: Certificate, _ nid: Int32) -> (critical: Bool, value: [UInt8])? {
    let index = X509_get_ext_by_NID(certificate.x509, nid, -1)
    guard index >= 0, let item = X509_get_ext(certificate.x509, index), let data = X509_EXTENSION_get_data(item),
          let bytes = ASN1_STRING_get0_data(data) else { return nil }
    return (X509_EXTENSION_get_critical(item) == 1, Array(UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data)))))
}

/// The serial number's bytes (big-endian magnitude).
func serial(of certificate: Certificate) -> [UInt8] {
    let integer = X509_get0_serialNumber(certificate.x509)
    guard let data = ASN1_STRING_get0_data(integer) else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(integer))))
}

/// The result of running a tool to completion.
struct ToolRun {
    let status: Int32
    let output: String
}

/// Runs `executable` with posix_spawn (Foundation's Process has crashed here when tests spawn
/// at the same moment), stdout and stderr going to a temporary file that is read afterwards.
func runTool(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ToolRun {
    let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("warden-tool-\(UUID().uuidString)").path
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var merged = ProcessInfo.processInfo.environment
    merged.merge(environment) { _, new in new }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    // WIFEXITED / WEXITSTATUS are macros; spelled out.
    let exitCode = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return ToolRun(status: exitCode, output: output)
}

/// The first of `paths` that is an executable file.
func executable(_ paths: String...) -> String? {
    paths.first { access($0, X_OK) == 0 }
}
